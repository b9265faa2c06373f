#!/usr/bin/env bash
# `npm test`: set everything up, type-check, then run every test against real Docker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The Python client's tests run with the system's python3, as a trainer's image would.
if ! command -v python3 >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing python3 for the Python client's tests" >&2
    apt-get update -q >/dev/null && apt-get install -y -q python3 >/dev/null
  else
    echo "test: python3 is needed for the Python client's tests; install it and run again" >&2
    exit 1
  fi
fi
# The deployment tests run the service and balancer images under compose and Swarm: build them
# (cached by content) and make sure a compose is installed before any test starts.
bash scripts/ensure-compose.sh >/dev/null
bash deploy/build-service-image.sh >/dev/null
bash deploy/build-lb-image.sh >/dev/null
echo "test: type-checking" >&2
npx tsc --noEmit
# /healthz latency under attack is a bound on this process's event loop: measured with no other
# test file competing for the two cores, it tells what the service does, not what the suite does.
# Both files that bound it run first, alone (connections.test.ts saw 110 ms beside three others).
attack=(test/docker/healthz-attack.test.ts test/unit/connections.test.ts)
# A hang must end as a failure CI prints, not as CI's own timeout with nothing said: a file whose
# tests are done exits even if a handle it leaked would keep it, and each run has a bound far above
# its length (the attack file about a minute; the rest some 15 minutes on two cores). A per-test
# timeout would bound each file as a whole too, and the HumanEvalPack file alone takes minutes.
runner=(node --import tsx --test --test-force-exit --test-reporter=spec)
rc=0
timeout -k 30s 15m "${runner[@]}" --test-concurrency=1 "${attack[@]}" || rc=$?
# The deployment tests take minutes each: start them first, so they do not set the run's tail.
mapfile -t files < <(ls test/docker/{cluster,swarm,compose}.test.ts; find test -name '*.test.ts' | sort | grep -vxF -e test/docker/cluster.test.ts -e test/docker/swarm.test.ts -e test/docker/compose.test.ts "${attack[@]/#/-e}")
timeout -k 30s 60m "${runner[@]}" --test-concurrency="${VERDICT_TEST_CONCURRENCY:-3}" "${files[@]}" || rc=$?
exit "$rc"
