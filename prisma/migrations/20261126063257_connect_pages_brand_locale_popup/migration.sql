-- CreateEnum
CREATE TYPE "ConnectMode" AS ENUM ('redirect', 'popup');

-- CreateEnum
CREATE TYPE "BrandTheme" AS ENUM ('light', 'dark', 'system');

-- AlterTable
ALTER TABLE "connect_tokens" ADD COLUMN     "locale" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "mode" "ConnectMode" NOT NULL DEFAULT 'redirect',
ADD COLUMN     "redirect_on_error" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "developer_brands" (
    "developer_id" TEXT NOT NULL,
    "accent_color" TEXT NOT NULL DEFAULT '',
    "theme" "BrandTheme" NOT NULL DEFAULT 'system',
    "logo_id" TEXT,
    "logo_type" TEXT,
    "logo" BYTEA,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "developer_brands_pkey" PRIMARY KEY ("developer_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "developer_brands_logo_id_key" ON "developer_brands"("logo_id");

-- AddForeignKey
ALTER TABLE "developer_brands" ADD CONSTRAINT "developer_brands_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
