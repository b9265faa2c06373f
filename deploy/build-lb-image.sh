#!/usr/bin/env bash
# Builds the load balancer image (deploy/lb/Dockerfile: HAProxy from Debian's
# packages) as verdict/lb:local and prints that tag on stdout (everything else
# goes to stderr). Usage: deploy/build-lb-image.sh
#
# Its base is the sandboxes' Debian base: VERDICT_BASE_IMAGE (default
# debian:bookworm-slim) where present or pullable, else
# verdict/debian-bootstrap:bookworm, bootstrapped from Debian's archive when
# missing. The build itself needs Debian's archive (apt-get install haproxy).
#
# Environment: VERDICT_LB_IMAGE (tag, default verdict/lb:local), VERDICT_BASE_IMAGE.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/build-lib.sh

log() { echo "build-lb-image: $*" >&2; }

tag="${VERDICT_LB_IMAGE:-verdict/lb:local}"
preferred="${VERDICT_BASE_IMAGE:-debian:bookworm-slim}"
bootstrap_tag='verdict/debian-bootstrap:bookworm'

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

if have_image "$preferred" || timeout 20 docker pull -q "$preferred" >/dev/null 2>&1; then
  base="$preferred"
else
  base="$bootstrap_tag"
  if ! have_image "$base"; then
    log "cannot pull $preferred; bootstrapping $base from Debian's archive"
    bash sandbox-images/bootstrap-base.sh "$base" >&2
  fi
fi
log "base: $base; building $tag"
build_replacing "$tag" deploy/lb --build-arg "BASE_IMAGE=$base" --label "verdict.lb.base=$base"
echo "$tag"
