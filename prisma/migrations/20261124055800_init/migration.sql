-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "TlsMode" AS ENUM ('TLS', 'STARTTLS', 'NONE');

-- CreateTable
CREATE TABLE "developers" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "app_name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "developers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "developer_id" TEXT NOT NULL,
    "consumer_key" TEXT NOT NULL,
    "secret_ciphertext" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_nonces" (
    "consumer_key" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_nonces_pkey" PRIMARY KEY ("consumer_key","nonce")
);

-- CreateTable
CREATE TABLE "connect_tokens" (
    "id" TEXT NOT NULL,
    "developer_id" TEXT NOT NULL,
    "target_account_id" TEXT,
    "target_source_id" TEXT,
    "email" TEXT NOT NULL DEFAULT '',
    "first_name" TEXT NOT NULL DEFAULT '',
    "last_name" TEXT NOT NULL DEFAULT '',
    "first_name_hidden" BOOLEAN NOT NULL DEFAULT false,
    "last_name_hidden" BOOLEAN NOT NULL DEFAULT false,
    "callback_url" TEXT NOT NULL,
    "source_callback_url" TEXT NOT NULL DEFAULT '',
    "status_callback_url" TEXT NOT NULL DEFAULT '',
    "source_sync_all_folders" BOOLEAN NOT NULL DEFAULT false,
    "source_sync_folders" TEXT NOT NULL DEFAULT '',
    "source_sync_flags" BOOLEAN NOT NULL DEFAULT false,
    "source_raw_file_list" BOOLEAN NOT NULL DEFAULT false,
    "source_expunge_on_deleted_flag" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "account_id" TEXT,
    "source_id" TEXT,

    CONSTRAINT "connect_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "developer_id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "first_name" TEXT NOT NULL DEFAULT '',
    "last_name" TEXT NOT NULL DEFAULT '',
    "email_addresses" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "suspended_at" TIMESTAMP(3),

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sources" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "tls_mode" "TlsMode" NOT NULL,
    "username" TEXT NOT NULL,
    "authentication_type" TEXT NOT NULL DEFAULT 'password',
    "credential_ciphertext" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OK',
    "status_message" TEXT NOT NULL DEFAULT '',
    "callback_url" TEXT NOT NULL DEFAULT '',
    "status_callback_url" TEXT NOT NULL DEFAULT '',
    "sync_all_folders" BOOLEAN NOT NULL DEFAULT false,
    "sync_folders" TEXT NOT NULL DEFAULT '',
    "sync_flags" BOOLEAN NOT NULL DEFAULT false,
    "raw_file_list" BOOLEAN NOT NULL DEFAULT false,
    "expunge_on_deleted_flag" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "developers_email_key" ON "developers"("email");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_consumer_key_key" ON "api_keys"("consumer_key");

-- CreateIndex
CREATE INDEX "api_keys_developer_id_created_at_idx" ON "api_keys"("developer_id", "created_at");

-- CreateIndex
CREATE INDEX "oauth_nonces_seen_at_idx" ON "oauth_nonces"("seen_at");

-- CreateIndex
CREATE INDEX "connect_tokens_developer_id_created_at_idx" ON "connect_tokens"("developer_id", "created_at");

-- CreateIndex
CREATE INDEX "connect_tokens_target_account_id_created_at_idx" ON "connect_tokens"("target_account_id", "created_at");

-- CreateIndex
CREATE INDEX "connect_tokens_target_source_id_created_at_idx" ON "connect_tokens"("target_source_id", "created_at");

-- CreateIndex
CREATE INDEX "connect_tokens_used_at_expires_at_idx" ON "connect_tokens"("used_at", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_username_key" ON "accounts"("username");

-- CreateIndex
CREATE INDEX "accounts_developer_id_created_at_idx" ON "accounts"("developer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "sources_account_id_label_key" ON "sources"("account_id", "label");

-- CreateIndex
CREATE UNIQUE INDEX "sources_account_id_server_username_key" ON "sources"("account_id", "server", "username");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connect_tokens" ADD CONSTRAINT "connect_tokens_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connect_tokens" ADD CONSTRAINT "connect_tokens_target_account_id_fkey" FOREIGN KEY ("target_account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connect_tokens" ADD CONSTRAINT "connect_tokens_target_source_id_fkey" FOREIGN KEY ("target_source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connect_tokens" ADD CONSTRAINT "connect_tokens_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connect_tokens" ADD CONSTRAINT "connect_tokens_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sources" ADD CONSTRAINT "sources_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
