#!/usr/bin/env bash
# The full test suite, as CI runs it: install what is missing, then lint and format,
# typecheck, check the published schemas, and run every vitest suite against real servers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== lint and format (biome)"
biome check .
echo "== typecheck (tsc)"
tsc --noEmit -p tsconfig.json
echo "== tests (vitest)"
vitest run "$@"
