#!/usr/bin/env bash
# Installs what Lift Watch needs on a Debian machine, idempotently: Debian's influxdb, nats-server and
# fonts-noto-cjk (the sticker PDFs embed it), and chromium with --browser, when missing; with --postgres, Debian's postgresql
# when nothing answers on 127.0.0.1:5432, started if it is installed but stopped (the tests'
# PostgreSQL run and DATABASE_URL use it); then the npm packages when the lock file changed.
# Safe to run on every start; does nothing when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_postgres=0
for arg in "$@"; do
  [ "$arg" = "--browser" ] && want_browser=1
  [ "$arg" = "--postgres" ] && want_postgres=1
done
if [ "$(id -u)" != 0 ]; then SUDO=sudo AS_POSTGRES="sudo -u postgres"; else SUDO= AS_POSTGRES="runuser -u postgres --"; fi

postgres_answers() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }

missing=()
[ -x /usr/bin/influxd ] || missing+=(influxdb)
# The log (NATS JetStream) between the broker and the ingest: lib/natsd.ts starts it.
[ -x /usr/sbin/nats-server ] || [ -x /usr/bin/nats-server ] || missing+=(nats-server)
if [ "$want_browser" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
# The CJK font the sticker PDFs embed (STICKER_FONT_FILE), also Chinese glyphs in browser screenshots.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
# Something already answering on 5432 (this machine's cluster, a container) is used as it is.
if [ "$want_postgres" = 1 ] && ! postgres_answers && ! command -v pg_ctlcluster >/dev/null; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$want_postgres" = 1 ] && ! postgres_answers; then
  echo "setup: starting PostgreSQL"
  # Every installed cluster that is down (Debian's package creates 'main' on install).
  while read -r version cluster _port status _rest; do
    [ "$status" = down ] && $SUDO pg_ctlcluster "$version" "$cluster" start || true
  done < <(pg_lsclusters --no-header 2>/dev/null || true)
  postgres_answers || $SUDO service postgresql start >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do postgres_answers && break; sleep 0.5; done
fi
if [ "$want_postgres" = 1 ] && postgres_answers; then
  # The tests connect as postgres without a password from 127.0.0.1 (trust); Debian's default
  # asks for one over TCP. Only an explicit local test setup is changed, once, and said so.
  if ! psql -h 127.0.0.1 -U postgres -w -Atc 'select 1' >/dev/null 2>&1; then
    hba=$($AS_POSTGRES psql -Atc 'show hba_file' 2>/dev/null || true)
    if [ -n "$hba" ] && ! grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
      echo "setup: letting postgres connect from 127.0.0.1 without a password (trust, for the tests) in $hba"
      $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
      $AS_POSTGRES psql -Atc 'select pg_reload_conf()' >/dev/null
    fi
  fi
fi

# npm ci only when node_modules was not installed from this very lock file: its hash is kept
# beside the packages (a file's time says nothing in a fresh clone or a git worktree). A
# node_modules that is a link belongs to another checkout: never reinstall through it.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -L node_modules ]; then
  echo "setup: node_modules is a link to another checkout's packages; leaving it as it is"
elif [ "$(cat node_modules/.liftwatch-lock-sha256 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: installing npm packages (native addons build from source; about a minute)"
  # Exactly the lock, never a rewrite of it, so a fresh clone stays clean. The lock lists every
  # platform's optional packages (as `npm install` writes it); a lock without them is one
  # `npm ci` refuses, and `npm install` would then add them to the working tree.
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.liftwatch-lock-sha256
fi
