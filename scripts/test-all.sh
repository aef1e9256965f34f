#!/usr/bin/env bash
# npm test: every test, on a fresh machine. Installs missing Debian packages (as root),
# starts a private PostgreSQL so integration and e2e tests run on PGlite *and* PostgreSQL,
# then: lint, dead code, typecheck, vitest, build (Next.js and the compiled edge), Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh

pg_dir="/tmp/mailport-test-pg-$$"
pg_port=${MAILPORT_TEST_PG_PORT:-55432}
if [ -z "${MAILPORT_TEST_DATABASE_URL:-}" ]; then
  bash scripts/test-postgres.sh start "$pg_dir" "$pg_port"
  trap 'bash scripts/test-postgres.sh stop "$pg_dir"' EXIT
  export MAILPORT_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:${pg_port}/postgres"
fi
echo "PostgreSQL for tests: $MAILPORT_TEST_DATABASE_URL"

mkdir -p .tmp
echo "== lint";      npx biome check .
echo "== dead code (knip)"; npx knip
echo "== typecheck"; npx tsc --noEmit
echo "== unit and integration (vitest)"; npx vitest run
echo "== build";     npm run --silent build
echo "== e2e (Playwright, Chromium)"; npx playwright test
