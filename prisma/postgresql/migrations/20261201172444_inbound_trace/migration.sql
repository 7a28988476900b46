-- AlterTable
ALTER TABLE "InboundEvent" ADD COLUMN     "trace" TEXT;

