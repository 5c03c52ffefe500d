#!/usr/bin/env bash
# The full test suite, as CI runs it: install what is missing, then lint and format,
# typecheck, check the published schemas, and run every vitest suite against real servers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== lint and format (biome)"
biome check .
echo "== typecheck (tsc)"
tsc --noEmit -p tsconfig.json
tsc --noEmit -p dashboard/tsconfig.json
echo "== dashboard (built when its sources changed; the API only serves it)"
tsx dashboard/build.ts --if-stale
echo "== tests (vitest)"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line that any CI can read, whatever the runner prints above it.
# A suite whose setup failed runs none of its tests: those count as failed, not skipped, and a
# suite that failed before it declared any test counts as one failure.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  let failed = r.numFailedTests;
  let skipped = r.numPendingTests + r.numTodoTests;
  for (const suite of r.testResults) {
    if (suite.status !== "failed") continue;
    const notRun = suite.assertionResults.filter((a) => a.status !== "passed" && a.status !== "failed").length;
    failed += notRun;
    skipped -= notRun;
    if (suite.assertionResults.length === 0) failed += 1;
  }
  console.log(`Tests: ${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
' "$report" || true
exit "$status"
