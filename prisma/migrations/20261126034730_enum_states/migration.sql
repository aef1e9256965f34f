-- CreateEnum
CREATE TYPE "SourceStatus" AS ENUM ('OK', 'INVALID_CREDENTIALS', 'CONNECTION_IMPOSSIBLE', 'NO_ACCESS_TO_ALL_MAIL', 'TEMP_DISABLED', 'DISABLED');

-- CreateEnum
CREATE TYPE "AuthenticationType" AS ENUM ('password', 'oauth2');

-- CreateEnum
CREATE TYPE "SyncState" AS ENUM ('queued', 'running', 'done', 'failed');

-- CreateEnum
CREATE TYPE "CallbackDeliveryState" AS ENUM ('pending', 'delivered', 'failed');

-- CreateEnum
CREATE TYPE "CallbackEvent" AS ENUM ('initial_sync_completed', 'status_changed');

-- Convert the existing text values in place (Prisma's diff would drop and re-add
-- the columns, losing every row's value). A value outside an enum fails the cast,
-- and so the migration, instead of being silently replaced.

-- AlterTable
ALTER TABLE "callback_deliveries"
  ALTER COLUMN "event" TYPE "CallbackEvent" USING "event"::"CallbackEvent",
  ALTER COLUMN "state" DROP DEFAULT,
  ALTER COLUMN "state" TYPE "CallbackDeliveryState" USING "state"::"CallbackDeliveryState",
  ALTER COLUMN "state" SET DEFAULT 'pending';

-- AlterTable
ALTER TABLE "source_syncs"
  ALTER COLUMN "state" DROP DEFAULT,
  ALTER COLUMN "state" TYPE "SyncState" USING "state"::"SyncState",
  ALTER COLUMN "state" SET DEFAULT 'queued';

-- AlterTable
ALTER TABLE "sources"
  ALTER COLUMN "authentication_type" DROP DEFAULT,
  ALTER COLUMN "authentication_type" TYPE "AuthenticationType" USING "authentication_type"::"AuthenticationType",
  ALTER COLUMN "authentication_type" SET DEFAULT 'password',
  ALTER COLUMN "status" DROP DEFAULT,
  ALTER COLUMN "status" TYPE "SourceStatus" USING "status"::"SourceStatus",
  ALTER COLUMN "status" SET DEFAULT 'OK';
