#!/usr/bin/env bash
# `make deploy-check`: render the kustomizations of deploy/, validate every object against the Kubernetes
# API schema (kubernetes-validate, strict: unknown fields fail) and scan the manifests and the
# Containerfiles with checkov (skips and their reasons: deploy/checkov.yaml). The tools live in their own
# venv, .venv-deploy, installed from requirements/deploy.lock, so they never touch the app's pins.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=.venv-deploy
lock=requirements/deploy.lock
# The oldest Kubernetes minor still supported upstream that the manifests must work on.
k8s_version=${K8S_VERSION:-1.30.0}

want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ "$(cat "$venv/.lock-hash" 2>/dev/null)" != "$want" ]; then
  echo ">> setting up the deployment checks in $venv"
  [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
  echo "$want" > "$venv/.lock-hash"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# What is applied (the overlays, the controller settings) is scanned; the base, which is never applied by
# itself (no namespace, no image tags), is only validated.
mkdir "$out/applied" "$out/containers"
"$venv/bin/python" scripts/render_kustomize.py deploy/base > "$out/base.yaml"
for dir in deploy/overlays/* deploy/ingress-nginx; do
  name=$(echo "${dir#deploy/}" | tr / -)
  "$venv/bin/python" scripts/render_kustomize.py "$dir" > "$out/applied/$name.yaml"
done
echo ">> kubernetes-validate (Kubernetes $k8s_version): base $(cd "$out/applied" && echo *.yaml)"
"$venv/bin/kubernetes-validate" --strict --quiet -k "$k8s_version" "$out/base.yaml" "$out"/applied/*.yaml

# checkov recognizes Dockerfiles by name only.
for file in containers/*.Containerfile; do
  cp "$file" "$out/containers/$(basename "$file" .Containerfile).Dockerfile"
done
echo ">> checkov (Kubernetes manifests and Containerfiles)"
export BC_SKIP_MAPPING=TRUE LOG_LEVEL=ERROR
"$venv/bin/checkov" --config-file deploy/checkov.yaml --framework kubernetes dockerfile -d "$out/applied" -d "$out/containers"
echo ">> deploy-check: all manifests valid, no unskipped findings"
