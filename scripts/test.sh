#!/usr/bin/env bash
# `npm test`: set everything up, type-check, then run every test against real Docker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: type-checking" >&2
npx tsc --noEmit
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency="${VERDICT_TEST_CONCURRENCY:-3}" --test-reporter=spec "${files[@]}"
