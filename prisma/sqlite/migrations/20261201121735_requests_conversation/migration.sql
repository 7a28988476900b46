-- AlterTable
ALTER TABLE "WorkerRequest" ADD COLUMN "firstAnswerDueAt" DATETIME;


-- Requests filed before this column: their answer deadline is the filing one unless they were escalated (then unknown).
UPDATE "WorkerRequest" SET "firstAnswerDueAt" = "answerDueAt" WHERE "escalationCount" = 0;
