-- CreateTable
CREATE TABLE "source_syncs" (
    "source_id" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "folders_total" INTEGER NOT NULL DEFAULT 0,
    "folders_done" INTEGER NOT NULL DEFAULT 0,
    "messages_synced" INTEGER NOT NULL DEFAULT 0,
    "last_sync_start" TIMESTAMP(3),
    "last_sync_stop" TIMESTAMP(3),
    "initial_sync_done_at" TIMESTAMP(3),
    "last_error" TEXT NOT NULL DEFAULT '',
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "source_syncs_pkey" PRIMARY KEY ("source_id")
);

-- CreateTable
CREATE TABLE "source_folders" (
    "id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "delimiter" TEXT NOT NULL DEFAULT '/',
    "attributes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "special_use" TEXT NOT NULL DEFAULT '',
    "included_in_sync" BOOLEAN NOT NULL DEFAULT true,
    "nb_messages" INTEGER NOT NULL DEFAULT 0,
    "uid_validity" BIGINT,
    "highest_uid" BIGINT NOT NULL DEFAULT 0,
    "last_sync_start" TIMESTAMP(3),
    "last_sync_stop" TIMESTAMP(3),
    "last_expunge" TIMESTAMP(3),
    "initial_import_finished" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "source_folders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "folder_id" TEXT NOT NULL,
    "uid" BIGINT NOT NULL,
    "email_message_id" TEXT NOT NULL DEFAULT '',
    "subject" TEXT NOT NULL DEFAULT '',
    "date" TIMESTAMP(3),
    "date_received" TIMESTAMP(3),
    "size" INTEGER NOT NULL DEFAULT 0,
    "from_addresses" JSONB NOT NULL DEFAULT '[]',
    "to_addresses" JSONB NOT NULL DEFAULT '[]',
    "cc_addresses" JSONB NOT NULL DEFAULT '[]',
    "reply_to" JSONB NOT NULL DEFAULT '[]',
    "in_reply_to" TEXT NOT NULL DEFAULT '',
    "references" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "thread_id" TEXT NOT NULL,
    "flags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_files" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "file_name" TEXT NOT NULL DEFAULT '',
    "content_type" TEXT NOT NULL DEFAULT '',
    "size" INTEGER NOT NULL DEFAULT 0,
    "is_embedded" BOOLEAN NOT NULL DEFAULT false,
    "body_part" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "message_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "callback_deliveries" (
    "id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMP(3),

    CONSTRAINT "callback_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "callback_attempts" (
    "id" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "attempted_at" TIMESTAMP(3) NOT NULL,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "error" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "callback_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "source_folders_source_id_name_key" ON "source_folders"("source_id", "name");

-- CreateIndex
CREATE INDEX "messages_account_id_date_id_idx" ON "messages"("account_id", "date", "id");

-- CreateIndex
CREATE INDEX "messages_source_id_idx" ON "messages"("source_id");

-- CreateIndex
CREATE UNIQUE INDEX "messages_folder_id_uid_key" ON "messages"("folder_id", "uid");

-- CreateIndex
CREATE INDEX "message_files_account_id_id_idx" ON "message_files"("account_id", "id");

-- CreateIndex
CREATE INDEX "message_files_message_id_idx" ON "message_files"("message_id");

-- CreateIndex
CREATE INDEX "callback_deliveries_source_id_created_at_idx" ON "callback_deliveries"("source_id", "created_at");

-- CreateIndex
CREATE INDEX "callback_attempts_delivery_id_attempted_at_idx" ON "callback_attempts"("delivery_id", "attempted_at");

-- AddForeignKey
ALTER TABLE "source_syncs" ADD CONSTRAINT "source_syncs_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_folders" ADD CONSTRAINT "source_folders_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_folder_id_fkey" FOREIGN KEY ("folder_id") REFERENCES "source_folders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_files" ADD CONSTRAINT "message_files_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "callback_deliveries" ADD CONSTRAINT "callback_deliveries_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "callback_attempts" ADD CONSTRAINT "callback_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "callback_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
