#!/usr/bin/env bash
# Run a command (the test suites, the benchmarks) with a PostgreSQL and a Redis for it.
# The servers named by POSTGRES_TEST_ADMIN_URL / REDIS_TEST_URL when the environment sets them; otherwise
# throwaway instances of our own on free ports in a temporary directory, stopped and removed afterwards, so a
# machine's running servers are never used unless named. On Debian/Ubuntu as root, missing server packages are
# installed first.
# Usage: scripts/with_test_servers.sh COMMAND [ARGS...]
set -euo pipefail
tmp=$(mktemp -d /tmp/luan-test-servers.XXXXXX)
pg_ctl="" pg_data="" redis_pid=""

as_owner() {
  # PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user (the package creates it).
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  if [ -n "$pg_data" ]; then as_owner "$pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

install_package() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo ">> installing $1 from Debian's packages" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "$1 is not installed: install it, or name running servers in POSTGRES_TEST_ADMIN_URL and REDIS_TEST_URL" >&2
    exit 1
  fi
}

postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -z "${POSTGRES_TEST_ADMIN_URL:-}" ]; then
  [ -n "$(postgres_bin)" ] || install_package postgresql
  bin=$(postgres_bin)
  pg_ctl=$bin/pg_ctl
  pg_data=$tmp/pg
  port=$(free_port)
  mkdir -p "$pg_data"
  [ "$(id -u)" = 0 ] && chown -R postgres "$tmp"
  as_owner "$bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --no-sync >"$tmp/initdb.log"
  # fsync off: a throwaway cluster need not survive a crash; the tests' own databases come and go quickly.
  as_owner "$pg_ctl" -D "$pg_data" -l "$tmp/postgres.log" -w -t 60 \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres test
  export POSTGRES_TEST_ADMIN_URL=postgresql://postgres@127.0.0.1:$port/test
  echo ">> throwaway PostgreSQL on port $port" >&2
fi

if [ -z "${REDIS_TEST_URL:-}" ]; then
  command -v redis-server >/dev/null || install_package redis-server
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_TEST_URL=redis://127.0.0.1:$port/0
  echo ">> throwaway Redis on port $port" >&2
fi

"$@"
