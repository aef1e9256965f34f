-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "CallbackEvent" ADD VALUE 'message_flags_changed';
ALTER TYPE "CallbackEvent" ADD VALUE 'message_deleted';

-- DropIndex
DROP INDEX "callback_deliveries_webhook_id_message_id_event_key";

-- AlterTable
ALTER TABLE "callback_deliveries" ADD COLUMN     "change_id" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "message_changes" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "event" "CallbackEvent" NOT NULL,
    "snapshot" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "message_changes_created_at_idx" ON "message_changes"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "callback_deliveries_webhook_id_message_id_event_change_id_key" ON "callback_deliveries"("webhook_id", "message_id", "event", "change_id");
