#!/usr/bin/env bash
# Refreshes the README's screenshots: runs the browser suites (which save every screen to
# tests/artifacts/) and copies the screens the README shows into docs/screenshots/. Tests
# never write into docs/ themselves, so running the suite leaves the tree clean.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export PATH="$PWD/node_modules/.bin:$PATH"
vitest run tests/e2e
screens=(
  resident-qr-zh resident-qr-en live-alert reports dashboard-fleet dashboard-elevator
  elevator-history dashboard-fund fund-firm
)
mkdir -p docs/screenshots
for screen in "${screens[@]}"; do
  cp "tests/artifacts/$screen.png" "docs/screenshots/$screen.png"
done
echo "screenshots: ${#screens[@]} copied to docs/screenshots/"
