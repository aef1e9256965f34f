-- AlterTable
ALTER TABLE "source_folders" ADD COLUMN     "highest_modseq" BIGINT,
ADD COLUMN     "uid_next" BIGINT;

-- AlterTable
ALTER TABLE "sources" ADD COLUMN     "status_changed_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "source_leases" (
    "source_id" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "acquired_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "source_leases_pkey" PRIMARY KEY ("source_id")
);

-- CreateTable
CREATE TABLE "live_workers" (
    "id" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "live_workers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "source_status_changes" (
    "id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "previous_status" "SourceStatus" NOT NULL,
    "status" "SourceStatus" NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "changed_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "source_status_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "source_leases_owner_id_idx" ON "source_leases"("owner_id");

-- CreateIndex
CREATE INDEX "source_status_changes_source_id_changed_at_idx" ON "source_status_changes"("source_id", "changed_at");

-- AddForeignKey
ALTER TABLE "source_leases" ADD CONSTRAINT "source_leases_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_status_changes" ADD CONSTRAINT "source_status_changes_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;
