#!/usr/bin/env bash
# Train the Rasa model when it is missing or its inputs changed (fingerprint of everything it is built from).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# domain.yml's not_intent lists and the case-number regex are written from their tables first.
PYTHONPATH="$root" .venv-rasa/bin/python scripts/generate_rasa_data.py
inputs=$(find config.yml domain.yml nlu_data bot knowledge/dict -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' -o -name '*.tsv' \) | sort)
want=$(cat $inputs | sha256sum | cut -d' ' -f1)
stamp=models/.fingerprint
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && ls models/*.tar.gz >/dev/null 2>&1; then
  exit 0
fi
echo ">> training the Rasa model (inputs changed or no model yet)"
start=$(date +%s)
rm -f models/*.tar.gz
PYTHONPATH="$root" .venv-rasa/bin/rasa train --data nlu_data --config config.yml --domain domain.yml \
  --out models --fixed-model-name luan --quiet
echo "$want" > "$stamp"
echo ">> rasa train took $(( $(date +%s) - start )) s"
