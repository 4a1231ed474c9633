#!/usr/bin/env bash
# Serve the demo. With REDIS_URL set, a Celery worker and beat run beside the web server (and stop with
# it); without it, tasks run in-process and nothing else is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p .tmp

$PY manage.py migrate --noinput
$PY manage.py seed_demo

if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A fundtracker worker --loglevel=INFO --concurrency=2 >.tmp/worker.log 2>&1 &
  worker=$!
  .venv/bin/celery -A fundtracker beat --loglevel=INFO --schedule=.tmp/celerybeat-schedule >.tmp/beat.log 2>&1 &
  beat=$!
  trap 'kill $worker $beat 2>/dev/null || true' EXIT INT TERM
  echo "Celery worker (pid $worker) and beat (pid $beat) are running; logs in .tmp/worker.log and .tmp/beat.log"
fi

$PY manage.py runserver "127.0.0.1:${PORT:-8000}"
