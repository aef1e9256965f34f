-- CreateTable
CREATE TABLE "connect_flows" (
    "token_id" TEXT NOT NULL,
    "email" TEXT NOT NULL DEFAULT '',
    "first_name" TEXT NOT NULL DEFAULT '',
    "last_name" TEXT NOT NULL DEFAULT '',
    "server" TEXT NOT NULL DEFAULT '',
    "port" INTEGER NOT NULL DEFAULT 993,
    "tls_mode" "TlsMode" NOT NULL DEFAULT 'TLS',
    "username" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL DEFAULT '',
    "settings_source" TEXT NOT NULL DEFAULT '',
    "last_error" TEXT NOT NULL DEFAULT '',
    "login_failures" INTEGER NOT NULL DEFAULT 0,
    "last_failure_at" TIMESTAMP(3),
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settings_found_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "connect_flows_pkey" PRIMARY KEY ("token_id")
);

-- AddForeignKey
ALTER TABLE "connect_flows" ADD CONSTRAINT "connect_flows_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "connect_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;
