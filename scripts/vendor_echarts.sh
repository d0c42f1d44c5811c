#!/usr/bin/env bash
# The dashboard's charts (Apache ECharts) are served by the gateway itself: no CDN, no request leaves the
# site. Installs the pinned npm package into a cache under var/ and copies its one-file build into
# api/static/vendor/ (git-ignored, built). Does nothing when the pinned version is already there.
set -euo pipefail
ECHARTS_VERSION=6.1.0
cd "$(dirname "$0")/.."
bash scripts/ensure_npm.sh >&2
target=api/static/vendor/echarts.min.js
stamp=api/static/vendor/echarts.version
if [ -f "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ECHARTS_VERSION" ]; then exit 0; fi
cache=var/npm/echarts-$ECHARTS_VERSION
if [ ! -f "$cache/node_modules/echarts/dist/echarts.min.js" ]; then
  echo ">> installing echarts@$ECHARTS_VERSION from the npm registry"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "echarts@$ECHARTS_VERSION" >/dev/null
fi
mkdir -p api/static/vendor
cp "$cache/node_modules/echarts/dist/echarts.min.js" "$target"
echo "$ECHARTS_VERSION" > "$stamp"
