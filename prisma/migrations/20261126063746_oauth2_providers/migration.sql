-- CreateEnum
CREATE TYPE "OAuthProviderType" AS ENUM ('GMAIL_OAUTH2', 'MSLIVECONNECT');

-- AlterTable
ALTER TABLE "connect_flows" ADD COLUMN     "oauth_browser_hash" TEXT,
ADD COLUMN     "oauth_expires_at" TIMESTAMP(3),
ADD COLUMN     "oauth_provider_id" TEXT,
ADD COLUMN     "oauth_state_hash" TEXT;

-- AlterTable
ALTER TABLE "sources" ADD COLUMN     "access_token_ciphertext" TEXT,
ADD COLUMN     "access_token_expires_at" TIMESTAMP(3),
ADD COLUMN     "oauth_provider_id" TEXT;

-- CreateTable
CREATE TABLE "oauth_providers" (
    "id" TEXT NOT NULL,
    "developer_id" TEXT NOT NULL,
    "type" "OAuthProviderType" NOT NULL,
    "consumer_key" TEXT NOT NULL,
    "secret_ciphertext" TEXT NOT NULL,
    "secret_last4" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_providers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "oauth_providers_developer_id_created_at_idx" ON "oauth_providers"("developer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_providers_developer_id_consumer_key_key" ON "oauth_providers"("developer_id", "consumer_key");

-- AddForeignKey
ALTER TABLE "oauth_providers" ADD CONSTRAINT "oauth_providers_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sources" ADD CONSTRAINT "sources_oauth_provider_id_fkey" FOREIGN KEY ("oauth_provider_id") REFERENCES "oauth_providers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
