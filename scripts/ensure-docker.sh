#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a Debian host, as root, without one:
# installs docker.io and starts dockerd. Elsewhere: says how to get one.
set -euo pipefail

log() { echo "ensure-docker: $*" >&2; }

engine_up() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if engine_up; then exit 0; fi

if [ -n "${DOCKER_HOST:-}" ]; then
  log "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
  exit 1
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "no Docker engine is reachable. Install Docker (https://docs.docker.com/engine/install/),"
  log "start it, and make sure this user may use it (e.g. the docker group), then run this again."
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian's archive"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q docker.io >/dev/null
fi

# A killed engine leaves its pid file behind, and dockerd refuses to start over it.
for pidfile in /var/run/docker.pid /run/docker/containerd/containerd.pid; do
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; then
    log "removing stale $pidfile"
    rm -f "$pidfile"
  fi
done

if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/verdict-dockerd.log)"
  setsid nohup dockerd >/var/log/verdict-dockerd.log 2>&1 </dev/null &
fi
for _ in $(seq 1 60); do
  if engine_up; then log "engine is up"; exit 0; fi
  sleep 1
done
log "dockerd did not come up within 60 s; last lines of its log:"
tail -20 /var/log/verdict-dockerd.log >&2 || true
exit 1
