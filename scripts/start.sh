#!/usr/bin/env bash
# `npm start`: set everything up, then run the service with its embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
exec node dist/src/server.js
