-- AlterTable
ALTER TABLE "connect_flows" ADD COLUMN     "discovery_probes" INTEGER NOT NULL DEFAULT 0;
