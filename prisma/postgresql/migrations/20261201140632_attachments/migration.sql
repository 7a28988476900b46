-- CreateTable
CREATE TABLE "Attachment" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "uploaderId" INTEGER,
    "platform" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Attachment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Attachment_requestId_idx" ON "Attachment"("requestId");

-- CreateIndex
CREATE INDEX "Attachment_uploaderId_requestId_idx" ON "Attachment"("uploaderId", "requestId");

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "WorkerRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

