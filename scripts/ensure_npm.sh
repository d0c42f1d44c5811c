#!/usr/bin/env bash
# npm fetches the pinned front-end packages (scripts/vendor_echarts.sh, scripts/vendor_axe.sh). A fresh Debian
# machine may not have it: install it from Debian's packages when we may (root with apt-get).
set -euo pipefail
command -v npm >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo ">> installing npm from Debian's packages"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
else
  echo "npm is missing: install Node.js and npm, then run make again" >&2
  exit 1
fi
