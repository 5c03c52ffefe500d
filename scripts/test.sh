#!/usr/bin/env bash
# The full test suite, as CI runs it: install what is missing, then lint and format,
# typecheck, check the published schemas, and run every vitest suite against real servers:
# all of them on SQLite, then every suite that touches the store again on PostgreSQL
# (LIFTWATCH_TEST_DATABASE=postgres: each registry a fresh database on 127.0.0.1:5432,
# dropped after). Arguments narrow both passes to the files named.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser --postgres
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== lint and format (biome)"
biome check --error-on-warnings .
echo "== typecheck (tsc)"
tsc --noEmit -p tsconfig.json
tsc --noEmit -p dashboard/tsconfig.json
echo "== dashboard (built when its sources changed; the API only serves it)"
tsx dashboard/build.ts --if-stale
# The store's suites: every test file whose imports reach the store's opener (store/db.ts),
# derived by scripts/store-suites.mjs so a new suite runs on both dialects by itself.
mapfile -t POSTGRES_SUITES < <(node scripts/store-suites.mjs)
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432, and the store's suites run on it too." >&2
  echo "Start it: bash scripts/setup.sh --postgres (installs and starts Debian's postgresql)," >&2
  echo "or: sudo pg_ctlcluster 15 main start / sudo service postgresql start." >&2
  exit 1
fi

echo "== tests (vitest, SQLite)"
report=$(mktemp)
pg_report=$(mktemp)
trap 'rm -f "$report" "$pg_report"' EXIT
status=0
vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
echo "== tests (vitest, PostgreSQL: the ${#POSTGRES_SUITES[@]} suites that touch the store)"
pg_args=("${POSTGRES_SUITES[@]}")
[ $# -gt 0 ] && pg_args=("$@")
LIFTWATCH_TEST_DATABASE=postgres vitest run --reporter=default --reporter=json \
  --outputFile.json="$pg_report" "${pg_args[@]}" || status=$?
# One plain closing line that any CI can read, whatever the runner prints above it.
# A suite whose setup failed runs none of its tests: those count as failed, not skipped, and a
# suite that failed before it declared any test counts as one failure.
# Both passes count: a pass whose report is missing (vitest could not start) is one failure.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of process.argv.slice(1)) {
    let r;
    try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch { failed += 1; continue; }
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    for (const suite of r.testResults) {
      if (suite.status !== "failed") continue;
      const notRun = suite.assertionResults.filter((a) => a.status !== "passed" && a.status !== "failed").length;
      failed += notRun;
      skipped -= notRun;
      if (suite.assertionResults.length === 0) failed += 1;
    }
  }
  console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$report" "$pg_report" || true
exit "$status"
