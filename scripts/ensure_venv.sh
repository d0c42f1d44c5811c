#!/usr/bin/env bash
# Create or refresh one of the project's two virtual environments from its lock file.
# Usage: scripts/ensure_venv.sh app|rasa
# A stamp file holding the lock's hash makes repeated runs a no-op that takes well under a second.
set -euo pipefail
kind=$1
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
case "$kind" in
  app)  venv=$root/.venv;      lock=$root/requirements/app.lock ;;
  rasa) venv=$root/.venv-rasa; lock=$root/requirements/rasa.lock ;;
  *) echo "usage: $0 app|rasa" >&2; exit 2 ;;
esac
stamp=$venv/.lock-hash
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo ">> setting up $kind environment in $venv (first run takes several minutes)"
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
if [ "$kind" = rasa ]; then
  # Rasa 3.6 declares Requires-Python <3.11 and pins libraries whose markers vanish on 3.11;
  # the lock is a verified full freeze, so install it exactly, without the resolver.
  "${pip[@]}" --no-deps --ignore-requires-python -r "$lock"
else
  "${pip[@]}" -r "$lock"
  "${pip[@]}" --no-deps -e "$root"
fi
echo "$want" > "$stamp"
