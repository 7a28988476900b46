-- AlterTable
ALTER TABLE "PlatformIdentity" ADD COLUMN     "confirmedAt" TIMESTAMP(3),
ADD COLUMN     "confirmedById" INTEGER,
ADD COLUMN     "vouchedBy" TEXT NOT NULL DEFAULT 'claim';

-- AlterTable
ALTER TABLE "RequestCategory" ADD COLUMN     "sensitive" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "BindingCode" (
    "id" SERIAL NOT NULL,
    "codeHash" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "issuedById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "BindingCode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BindingCode_codeHash_key" ON "BindingCode"("codeHash");

-- CreateIndex
CREATE INDEX "BindingCode_personId_idx" ON "BindingCode"("personId");


-- The most personal matters are sensitive by default (administrators may change it).
UPDATE "RequestCategory" SET "sensitive" = true WHERE "name" IN ('困难帮扶', '法律援助', '心理关怀');
