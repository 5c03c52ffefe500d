#!/usr/bin/env bash
# The README's main command: install what is missing, then start every part with the
# demo fleet. This machine's Mosquitto may hold 1883; the demo then takes 18830 and says
# so (a plain `npm start` keeps 1883 and names MQTT_PORT in its error instead).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${MQTT_PORT:-}" ] && [ -z "${MQTT_URL:-}" ] && port_busy 1883; then
  export MQTT_PORT=18830
  echo "demo: port 1883 is taken (Mosquitto?); the embedded broker uses MQTT_PORT=$MQTT_PORT"
fi
# The API serves dashboard/dist and never builds it: build it here when its sources changed.
node_modules/.bin/tsx dashboard/build.ts --if-stale
exec node_modules/.bin/tsx main.ts
