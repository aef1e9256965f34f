-- AlterTable
ALTER TABLE "callback_deliveries" ADD COLUMN     "sending_until" TIMESTAMP(3);
