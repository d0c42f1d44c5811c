#!/usr/bin/env bash
# Check what the images promise where no container registry is reachable (so no base image can be pulled):
# stage exactly the files each Containerfile COPYs from the build context, mount them read-only in a private
# mount namespace with a fresh /tmp, and start the servers as uid 10001 with the project's venvs, then ask
# each one's health (and the gateway's HEALTHCHECK command). Needs root, a trained model (`make setup`),
# PostgreSQL (SMOKE_ADMIN_URL, default the test server) and Redis on 127.0.0.1:6379.
# Usage: sudo containers/smoke_without_registry.sh            (docs/deployment.md "Images")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
admin_url=${SMOKE_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}
work=$(mktemp -d /var/tmp/luan-smoke.XXXXXX)
chmod 755 "$work"
database=luan_smoke_$$
logs=${SMOKE_LOGS:-/var/tmp/luan-smoke-logs}  # the servers' logs, kept after the run
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
  redis-cli --scan --pattern "smoke$$*" | xargs -r redis-cli del >/dev/null
  mkdir -p "$logs" && cp "$work"/*.log "$logs"/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The context paths of the COPY lines that read the build context (not --from another stage).
stage() {
  local containerfile=$1 target=$2
  mkdir -p "$target"
  grep -E '^COPY ' "$containerfile" | grep -v -- '--from=' | while read -r _ args; do
    read -ra parts <<< "$args"
    for source in "${parts[@]:0:${#parts[@]}-1}"; do
      [[ $source == requirements/* ]] && continue  # installed into the venv, not part of /app
      mkdir -p "$target/$(dirname "$source")"
      cp -r "$root/$source" "$target/$source"
    done
  done
}
stage "$root/containers/gateway.Containerfile" "$work/gateway"
stage "$root/containers/rasa.Containerfile" "$work/rasa"
psql "$admin_url" -qc "CREATE DATABASE $database"
database_url=${admin_url%/*}/$database

as_image_user() {
  # dac_read_search (read-only) only lets uid 10001 read the venvs' interpreter where it lives under /root.
  exec setpriv --reuid 10001 --regid 10001 --clear-groups --inh-caps +dac_read_search \
    --ambient-caps +dac_read_search "$@"
}

wait_for() {
  for _ in $(seq "$2"); do curl -sf -o /dev/null "$1" && return 0; sleep 1; done
  echo "FAILED: $1 did not answer" >&2
  return 1
}

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
export HOME=/tmp TMPDIR=/tmp PYTHONDONTWRITEBYTECODE=1 RASA_TELEMETRY_ENABLED=false
export JWT_SECRET=$(secret) SERVICE_TOKEN=$(secret) PII_KEY=$(secret)
# Rasa's HTTP API answers only this token, as in deploy/base/rasa.yaml; the gateway sends it.
export RASA_TOKEN=$(secret)
export DATABASE_URL=$database_url RASA_URL=http://127.0.0.1:18793 GATEWAY_URL=http://127.0.0.1:18791
export ACTION_SERVER_URL=http://127.0.0.1:18792/webhook
export REDIS_HOST=127.0.0.1 REDIS_PORT=6379 REDIS_DB=0 REDIS_PASSWORD= REDIS_PREFIX=smoke$$ TRACKER_RECORD_SECONDS=3600

# One private mount namespace per image: its files read-only at /app, an empty tmpfs at /tmp. Every step
# execs the next, so a server keeps the process id that `$!` saw (and cleanup can stop it); run the
# functions in a subshell when they must not replace this script.
in_image() {
  local files=$1
  shift
  exec unshare --mount --propagation private bash -c '
    mkdir -p /app && mount --bind "$0" /app && mount -o remount,bind,ro /app && mount -t tmpfs tmpfs /tmp
    cd /app && exec "$@"' "$files" "$@"
}
export -f as_image_user
venv=$root/.venv/bin
rasa_venv=$root/.venv-rasa/bin

(in_image "$work/gateway" env PYTHONPATH=/app bash -c "as_image_user $venv/python -m api migrate")
in_image "$work/gateway" env PYTHONPATH=/app bash -c "as_image_user $venv/python $venv/uvicorn api.main:app \
  --host 127.0.0.1 --port 18791 --workers 1 --no-access-log" > "$work/gateway.log" 2>&1 &
pids+=($!)
in_image "$work/rasa" env PYTHONPATH=/app bash -c "as_image_user $rasa_venv/python -m rasa_sdk \
  --actions actions --port 18792" > "$work/actions.log" 2>&1 &
pids+=($!)
in_image "$work/rasa" env PYTHONPATH=/app TF_INTRA_OP_PARALLELISM_THREADS=1 TF_INTER_OP_PARALLELISM_THREADS=1 \
  bash -c "as_image_user $rasa_venv/python -m bot.serve run --enable-api --auth-token=\$RASA_TOKEN --model models \
  --endpoints endpoints.redis.yml --credentials credentials.yml --port 18793 -i 127.0.0.1" > "$work/rasa.log" 2>&1 &
pids+=($!)

wait_for http://127.0.0.1:18791/health 90
(as_image_user "$venv/python" -c \
  "import urllib.request; urllib.request.urlopen('http://127.0.0.1:18791/health', timeout=4)")
echo "gateway: /health $(curl -s http://127.0.0.1:18791/health), HEALTHCHECK passed"
wait_for http://127.0.0.1:18792/health 60
echo "action server: /health $(curl -s http://127.0.0.1:18792/health)"
wait_for http://127.0.0.1:18793/ 300
echo "Rasa server: / $(curl -s http://127.0.0.1:18793/)"
reply=$(curl -s -X POST http://127.0.0.1:18791/api/chat -H 'content-type: application/json' \
  -d '{"sender":"smoke-resident","message":"身份证丢了怎么补办"}')
echo "chat through all three: $reply"
grep -q '"text"' <<< "$reply"
if grep -iE 'read-only file system|permission denied' "$work"/*.log; then
  echo "FAILED: a server tried to write outside /tmp" >&2
  exit 1
fi
ps -o rss=,args= -p "$(IFS=,; echo "${pids[*]}")" | cut -c1-100
echo "smoke test passed"
