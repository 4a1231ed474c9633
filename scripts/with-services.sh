#!/usr/bin/env bash
# Run a command with PostgreSQL (and Redis) available, as `make test` needs them:
#   - DATABASE_URL / REDIS_URL from the environment win;
#   - else a server already listening on 127.0.0.1:5432 / :6379 is used;
#   - else a private throwaway instance is started under .tmp/ and stopped when the command ends.
# As root on Debian, missing server packages (and Chromium for the browser tests, Pango for the PDF
# statements) are apt-get installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP=$ROOT/.tmp
mkdir -p "$TMP"

log() { printf '[services] %s\n' "$*" >&2; }

# One name per checkout, so that two checkouts (or a CI run beside a developer's run) on one machine never
# share a database, a Celery queue or Redis keys: the directory's name plus a hash of its full path.
if [ -z "${FUNDTRACKER_INSTANCE:-}" ]; then
  FUNDTRACKER_INSTANCE="$(basename "$ROOT" | tr -c 'a-zA-Z0-9' '_' | tr 'A-Z' 'a-z' | cut -c1-20)"
  FUNDTRACKER_INSTANCE="${FUNDTRACKER_INSTANCE}_$(printf %s "$ROOT" | sha1sum | cut -c1-6)"
fi
export FUNDTRACKER_INSTANCE
export CELERY_QUEUE="${CELERY_QUEUE:-fundtracker-$FUNDTRACKER_INSTANCE}"
export REDIS_KEY_PREFIX="${REDIS_KEY_PREFIX:-fundtracker-$FUNDTRACKER_INSTANCE}"

# A TCP port nobody listens on, for a private server (fixed ports would collide between checkouts).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# PRIVATE_SERVICES=1 skips the shared servers (to exercise the throwaway path).
port_open() { [ -z "${PRIVATE_SERVICES:-}" ] && (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  # Only as root on a Debian-like system; elsewhere the developer installs these once by hand.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if [ ! -f "$TMP/.apt-updated" ]; then apt-get update -qq && touch "$TMP/.apt-updated"; fi
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    log "missing $* and cannot install it here (not root or no apt-get)"
  fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

cleanup=()
on_exit() {
  local status=$?
  for cmd in "${cleanup[@]}"; do eval "$cmd" || true; done
  exit $status
}
trap on_exit EXIT

# Chromium for the Playwright tests (Debian's package; browsers are never downloaded by Playwright).
if [ -z "${PLAYWRIGHT_CHROMIUM:-}" ]; then
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -x "$candidate" ] && export PLAYWRIGHT_CHROMIUM=$candidate && break
  done
  if [ -z "${PLAYWRIGHT_CHROMIUM:-}" ]; then
    apt_install chromium
    [ -x /usr/bin/chromium ] && export PLAYWRIGHT_CHROMIUM=/usr/bin/chromium
  fi
fi

# GNU gettext: the translation tests check the catalogues against the strings in the code.
command -v xgettext >/dev/null || apt_install gettext

# Pango and HarfBuzz's subsetter: WeasyPrint draws the PDF statements with them (the font is from npm).
pdf_libs_missing() {
  local lib
  for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || return 0
  done
  return 1
}
if pdf_libs_missing; then apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; fi

# PostgreSQL.
if [ -z "${DATABASE_URL:-}" ]; then
  if port_open 5432; then
    export DATABASE_URL="postgres://${PGUSER:-postgres}@127.0.0.1:5432/fundtracker_$FUNDTRACKER_INSTANCE"
    log "using PostgreSQL on 127.0.0.1:5432"
  else
    [ -n "$(pg_bin)" ] || apt_install postgresql
    bin=$(pg_bin) || { log "PostgreSQL is not installed"; exit 1; }
    data=$TMP/pg-data port=$(free_port)
    rm -rf "$data"
    # initdb refuses to run as root; the throwaway cluster belongs to the postgres user then.
    run_pg=()
    if [ "$(id -u)" = 0 ]; then run_pg=(runuser -u postgres --); chown postgres "$TMP"; fi
    "${run_pg[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
    "${run_pg[@]}" "$bin/pg_ctl" -D "$data" -o "-p $port -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off" \
      -l "$TMP/pg.log" -w start >/dev/null
    cleanup+=("${run_pg[*]:-} $bin/pg_ctl -D $data -m fast stop >/dev/null; rm -rf $data")
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/fundtracker"
    log "started a private PostgreSQL on 127.0.0.1:$port"
  fi
fi

# Redis (the broker of the Celery worker).
if [ -z "${REDIS_URL:-}" ]; then
  if port_open 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
    log "using Redis on 127.0.0.1:6379"
  else
    command -v redis-server >/dev/null || apt_install redis-server
    port=$(free_port)
    redis-server --daemonize yes --bind 127.0.0.1 --port $port --save "" --appendonly no \
      --dir "$TMP" --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log"
    cleanup+=("kill \$(cat '$TMP/redis.pid') 2>/dev/null")
    export REDIS_URL="redis://127.0.0.1:$port/0"
    log "started a private Redis on 127.0.0.1:$port"
  fi
fi

"$@"
