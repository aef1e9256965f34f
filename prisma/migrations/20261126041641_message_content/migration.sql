-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "gmail_message_id" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "gmail_thread_id" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "messages_account_id_email_message_id_idx" ON "messages"("account_id", "email_message_id");

-- CreateIndex
CREATE INDEX "messages_account_id_gmail_message_id_idx" ON "messages"("account_id", "gmail_message_id");

-- CreateIndex
CREATE INDEX "messages_account_id_thread_id_idx" ON "messages"("account_id", "thread_id");
