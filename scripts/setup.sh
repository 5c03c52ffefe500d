#!/usr/bin/env bash
# Installs what Lift Watch needs on a Debian machine, idempotently: Debian's influxdb
# (and chromium with a CJK font, with --browser) when missing, then the npm packages when the lock file
# changed. Safe to run on every start; does nothing when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
for arg in "$@"; do [ "$arg" = "--browser" ] && want_browser=1; done

missing=()
[ -x /usr/bin/influxd ] || missing+=(influxdb)
if [ "$want_browser" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Chinese glyphs in browser screenshots (the resident page is Chinese first).
  [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when node_modules does not match the lock file (npm writes this marker).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (native addons build from source; about a minute)"
  # Exactly the lock, never a rewrite of it, so a fresh clone stays clean. The lock lists every
  # platform's optional packages (as `npm install` writes it); a lock without them is one
  # `npm ci` refuses, and `npm install` would then add them to the working tree.
  npm ci --no-audit --no-fund --loglevel=error
fi
