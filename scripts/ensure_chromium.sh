#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser build); install it when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "chromium is missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi
echo ">> installing Debian chromium for the browser tests"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
