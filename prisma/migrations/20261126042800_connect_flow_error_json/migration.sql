-- The flow error becomes typed JSON (lib/connect-flow/schema.ts, flowError). Old rows: a code
-- string becomes {"kind":"code","code":…}. The field errors the pages stored as JSON text are
-- cleared: a form message, shown again on the next submit (casting text that may not be JSON
-- could fail the migration). An empty string becomes NULL. A code the new union does not know
-- is read back as no error.
ALTER TABLE "connect_flows" ADD COLUMN "error" JSONB;

UPDATE "connect_flows"
SET "error" = jsonb_build_object('kind', 'code', 'code', "last_error")
WHERE "last_error" ~ '^[a-z_]+$';

ALTER TABLE "connect_flows" DROP COLUMN "last_error";
