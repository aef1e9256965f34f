-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "CallbackEvent" ADD VALUE 'message_new';
ALTER TYPE "CallbackEvent" ADD VALUE 'webhook_failed';

-- AlterTable
ALTER TABLE "callback_deliveries" ADD COLUMN     "content_pending" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "message_id" TEXT,
ADD COLUMN     "webhook_id" TEXT;

-- CreateTable
CREATE TABLE "webhooks" (
    "id" TEXT NOT NULL,
    "developer_id" TEXT NOT NULL,
    "account_id" TEXT,
    "callback_url" TEXT NOT NULL,
    "failure_notif_url" TEXT NOT NULL DEFAULT '',
    "filter_to" TEXT NOT NULL DEFAULT '',
    "filter_from" TEXT NOT NULL DEFAULT '',
    "filter_cc" TEXT NOT NULL DEFAULT '',
    "filter_subject" TEXT NOT NULL DEFAULT '',
    "filter_thread" TEXT NOT NULL DEFAULT '',
    "filter_file_name" TEXT NOT NULL DEFAULT '',
    "filter_folder_added" TEXT NOT NULL DEFAULT '',
    "filter_to_domain" TEXT NOT NULL DEFAULT '',
    "filter_from_domain" TEXT NOT NULL DEFAULT '',
    "include_body" BOOLEAN NOT NULL DEFAULT false,
    "body_type" TEXT NOT NULL DEFAULT '',
    "include_header" BOOLEAN NOT NULL DEFAULT false,
    "receive_drafts" BOOLEAN NOT NULL DEFAULT false,
    "receive_all_changes" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "failure" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_arrivals" (
    "message_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_arrivals_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE INDEX "webhooks_developer_id_created_at_idx" ON "webhooks"("developer_id", "created_at");

-- CreateIndex
CREATE INDEX "webhooks_account_id_created_at_idx" ON "webhooks"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "message_arrivals_created_at_idx" ON "message_arrivals"("created_at");

-- CreateIndex
CREATE INDEX "callback_deliveries_webhook_id_created_at_idx" ON "callback_deliveries"("webhook_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "callback_deliveries_webhook_id_message_id_event_key" ON "callback_deliveries"("webhook_id", "message_id", "event");

-- AddForeignKey
ALTER TABLE "callback_deliveries" ADD CONSTRAINT "callback_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_arrivals" ADD CONSTRAINT "message_arrivals_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
