#!/usr/bin/env bash
# Prints the command that runs Compose here (`docker compose` v2 or
# `docker-compose` v1), installing Debian's docker-compose when neither is
# present and this is a Debian host run as root.
set -euo pipefail

log() { echo "ensure-compose: $*" >&2; }

if docker compose version >/dev/null 2>&1; then echo 'docker compose'; exit 0; fi
if docker-compose version >/dev/null 2>&1; then echo 'docker-compose'; exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "neither \`docker compose\` nor docker-compose is installed; install one (https://docs.docker.com/compose/install/)"
  exit 1
fi
log "installing docker-compose from Debian's archive"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q docker-compose >/dev/null
echo 'docker-compose'
