#!/usr/bin/env bash
# Everything both README commands need first: dependencies, a Docker engine, sandbox images.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi
bash scripts/ensure-docker.sh
# Builds only what is missing: images are tagged by the content of their folders.
node --import tsx src/cli/build-images.ts
