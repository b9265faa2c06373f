#!/bin/sh
# Entry of the service container (deploy/service.Dockerfile): build whatever
# sandbox image is missing, then become the server.
#
# Building here, in the same container before the server listens, is what makes
# "sandbox images are built before the service serves" hold with both
# docker-compose v1 (file format 3, no `depends_on: condition:
# service_completed_successfully`) and `docker compose` v2.
#
# Needs: the Docker socket (the build goes through the Docker API) and the
# sandbox base image already in the engine (VERDICT_BASE_IMAGE, default
# debian:bookworm-slim, or verdict/debian-bootstrap:bookworm). Pulling the base
# is tried, but bootstrapping it needs the docker CLI and debootstrap, which
# this image does not have: deploy/build-service-image.sh makes sure the base
# exists on the host. Images are tagged by content, so on later starts this
# finds everything up to date and only runs the smoke programs (seconds).
#
# VERDICT_BUILD_IMAGES=false (or 0) skips the build; the server then starts at
# once and /readyz says 503 until the images exist.
set -eu
cd /app

case "${VERDICT_BUILD_IMAGES:-true}" in
  false | 0) echo "entrypoint: VERDICT_BUILD_IMAGES=${VERDICT_BUILD_IMAGES}, not building sandbox images" >&2 ;;
  *)
    # The shell is PID 1 while this runs, and PID 1 ignores signals it has no
    # handler for: forward SIGTERM/SIGINT so `docker stop` does not wait for
    # its grace period to end in SIGKILL.
    # A stop in this phase can leave the sandbox of a smoke program behind;
    # the server sweeps it on the next start with the same VERDICT_INSTANCE_ID.
    stopping=''
    child=''
    trap 'stopping=yes; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true' TERM INT
    node dist/src/cli/build-images.js &
    child=$!
    [ -z "$stopping" ] || kill -TERM "$child" 2>/dev/null || true
    status=0
    wait "$child" || status=$?
    # A trapped signal interrupts `wait`: wait again for the real exit status.
    while kill -0 "$child" 2>/dev/null; do
      status=0
      wait "$child" || status=$?
    done
    trap - TERM INT
    if [ -n "$stopping" ]; then
      echo "entrypoint: stopped while building sandbox images" >&2
      exit 143
    fi
    if [ "$status" -ne 0 ]; then
      echo "entrypoint: building sandbox images failed (exit $status); not starting the server" >&2
      exit "$status"
    fi
    ;;
esac

# exec: node becomes PID 1 and gets SIGTERM itself; server.ts drains in-flight
# submissions (VERDICT_SHUTDOWN_GRACE_MS, 30 s by default), removes its
# sandboxes and exits 0.
exec node dist/src/server.js
