-- AlterTable
ALTER TABLE "connect_flows" DROP COLUMN "last_failure_at",
DROP COLUMN "login_failures";

-- AlterTable
ALTER TABLE "developers" DROP COLUMN "last_sign_in_failure_at",
DROP COLUMN "sign_in_failures";

-- CreateTable
CREATE TABLE "rate_limit_counters" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "resets_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "rate_limit_counters_resets_at_idx" ON "rate_limit_counters"("resets_at");
