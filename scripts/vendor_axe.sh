#!/usr/bin/env bash
# axe-core, the accessibility engine the browser tests run on the pages (WCAG 2 A and AA rules). Installs the
# pinned npm package into a cache under var/ (git-ignored) and prints the path of its one-file build. Does
# nothing but print it when the pinned version is already there.
set -euo pipefail
AXE_VERSION=4.10.3
cd "$(dirname "$0")/.."
bash scripts/ensure_npm.sh >&2
cache=var/npm/axe-core-$AXE_VERSION
target="$cache/node_modules/axe-core/axe.min.js"
if [ ! -f "$target" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "axe-core@$AXE_VERSION" >/dev/null
fi
echo "$PWD/$target"
