#!/usr/bin/env bash
# Serve the demo. With REDIS_URL set, a Celery worker and beat run beside the web server and stop with it
# (Ctrl-C or a TERM to this script); without it, tasks run in-process and nothing else is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p .tmp

# Pango for the PDF statements (WeasyPrint): installed when missing, as root on Debian.
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null
fi

$PY manage.py migrate --noinput
$PY manage.py seed_demo

pids=()
stop() {
  for pid in "${pids[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true  # runserver's autoreloader child, celery's pool
    kill -TERM "$pid" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'exit 130' INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A fundtracker worker --loglevel=INFO --concurrency=2 >.tmp/worker.log 2>&1 &
  pids+=($!)
  .venv/bin/celery -A fundtracker beat --loglevel=INFO --schedule=.tmp/celerybeat-schedule >.tmp/beat.log 2>&1 &
  pids+=($!)
  echo "A Celery worker and beat are running (logs: .tmp/worker.log, .tmp/beat.log)."
fi

$PY manage.py runserver "127.0.0.1:${PORT:-8000}" &
pids+=($!)
wait "${pids[-1]}"
