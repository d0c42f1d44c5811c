#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser build), with a CJK font so that
# screenshots show Chinese text; install both when missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "missing: ${missing[*]}; run 'sudo apt-get install -y ${missing[*]}'" >&2; exit 1; fi
echo ">> installing Debian packages for the browser tests: ${missing[*]}"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
