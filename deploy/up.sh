#!/usr/bin/env bash
# One command for the compose deployment: a Docker engine, both images, then
# `compose up -d` of docker-compose.yml (replicas behind the balancer), and a
# wait until the balancer answers /readyz with 200.
#
#   deploy/up.sh                      # VERDICT_REPLICAS=2, port 8080 on loopback
#   VERDICT_REPLICAS=3 VERDICT_PORT=9000 deploy/up.sh
#   deploy/up.sh -p other-project     # extra arguments go to `compose`
#
# Stop with `docker-compose down` (or `docker compose down`): replicas drain
# (in-flight requests finish, sandboxes are removed) before they exit.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "up: $*" >&2; }

bash scripts/ensure-docker.sh
read -r -a compose <<<"$(bash scripts/ensure-compose.sh)"
VERDICT_SERVICE_IMAGE="$(bash deploy/build-service-image.sh)"
VERDICT_LB_IMAGE="$(bash deploy/build-lb-image.sh)"
export VERDICT_SERVICE_IMAGE VERDICT_LB_IMAGE

"${compose[@]}" -f docker-compose.yml "$@" up -d >&2

url="http://127.0.0.1:${VERDICT_PORT:-8080}/readyz"
log "waiting for $url (a first start builds the sandbox images: minutes)"
deadline=$((SECONDS + ${VERDICT_UP_TIMEOUT_S:-1200}))
ready() { node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url"; }
until ready; do
  if [ "$SECONDS" -gt "$deadline" ]; then
    log "not ready in time; see: ${compose[*]} -f docker-compose.yml logs"
    exit 1
  fi
  sleep 2
done
log "ready: ${url%/readyz}"
