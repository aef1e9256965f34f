#!/usr/bin/env bash
# npm test: every test, on a fresh machine. Installs missing Debian packages (as root),
# starts a private PostgreSQL so integration and e2e tests run on PGlite *and* PostgreSQL,
# then: lint, dead code, typecheck, vitest, the process tests, build (Next.js and the compiled edge), Playwright,
# and prints how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh

pg_dir="/tmp/mailport-test-pg-$$"
pg_started=0
pg_port=${MAILPORT_TEST_PG_PORT:-55432}
if [ -z "${MAILPORT_TEST_DATABASE_URL:-}" ]; then
  bash scripts/test-postgres.sh start "$pg_dir" "$pg_port"
  trap 'bash scripts/test-postgres.sh stop "$pg_dir"' EXIT
  pg_started=1
  export MAILPORT_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:${pg_port}/postgres"
fi
echo "PostgreSQL for tests: $MAILPORT_TEST_DATABASE_URL"

mkdir -p .tmp
# Each stage's wall-clock time, printed at the end (also when a stage fails) for the closing notes.
stage_times=()
current_stage=""
stage_started=0
stage() {
  finish_stage
  current_stage=$1
  stage_started=$SECONDS
  echo "== $1"
}
finish_stage() {
  if [ -n "$current_stage" ]; then stage_times+=("$(printf '%-10s %4d s' "$current_stage" $((SECONDS - stage_started)))"); fi
  current_stage=""
}
report_stage_times() {
  local status=$1
  finish_stage
  echo "== stage times"
  printf '%s\n' "${stage_times[@]}"
  [ "$status" -eq 0 ] || echo "(stopped by a failure in the last stage)"
}
at_exit() {
  report_stage_times $?
  if [ "$pg_started" -eq 1 ]; then bash scripts/test-postgres.sh stop "$pg_dir"; fi
}
trap at_exit EXIT

stage lint;   npx biome check .
stage knip;   npx knip
stage tsc;    npx tsc --noEmit
stage vitest; npx vitest run
stage processes; npx vitest run -c vitest.processes.config.ts
stage build;  npm run --silent build
stage e2e;    npx playwright test
