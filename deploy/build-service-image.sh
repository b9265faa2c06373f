#!/usr/bin/env bash
# Builds the Verdict service image (deploy/service.Dockerfile) as
# verdict/service:local and prints that tag on stdout (everything else goes to
# stderr). Usage: deploy/build-service-image.sh
#
# Needs on the host: the docker CLI and an engine; Node.js with `npm ci` done
# (scripts/check-node.mjs uses semver) to check the service base's Node.js,
# and to be staged into the image when the base has none (see below);
# debootstrap (installed by sandbox-images/bootstrap-base.sh when root) only
# when a base must be bootstrapped. Then deploy/up.sh (which also builds the balancer image and
# runs compose), or see the README's Deployment section.
#
# Environment:
#   VERDICT_SERVICE_BASE_IMAGE  base of the service image. Unset: node:20-bookworm-slim
#                               if present or pullable within ~20 s, else
#                               verdict/debian-bootstrap:bookworm (bootstrapped
#                               from Debian's archive if missing).
#   VERDICT_SERVICE_IMAGE       tag to build (default verdict/service:local).
#   VERDICT_BASE_IMAGE          the SANDBOX base, as the service reads it (default
#                               debian:bookworm-slim; where absent the service
#                               falls back to verdict/debian-bootstrap:bookworm).
#                               Pass the same value to the container.
#   VERDICT_BUILD_CA_FILE       PEM file of extra CA certificates `npm ci` must
#                               trust inside the build (TLS-intercepting proxies).
#                               Unset: NODE_EXTRA_CA_CERTS, else npm's `cafile`,
#                               else none. Build stages only, not in the image.
#
# What happens where:
#   host     (this script) picks the service base; stages the host's node and
#            npm into the build context when that base has no usable Node.js;
#            makes sure the sandbox base exists in the engine (pull, else
#            debootstrap), because the service container has neither the docker
#            CLI nor debootstrap to make it; `docker build`.
#   image    build stages: npm ci (needs the npm registry), tsc; final stage:
#            production node_modules, dist/, package.json, sandbox-images/,
#            and bin/ with src/ for the command line.
#   container (deploy/entrypoint.sh) builds the sandbox images over the mounted
#            socket, smoke-tests them, then runs the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/build-lib.sh

log() { echo "build-service-image: $*" >&2; }

tag="${VERDICT_SERVICE_IMAGE:-verdict/service:local}"
registry_base='node:20-bookworm-slim'
bootstrap_tag='verdict/debian-bootstrap:bookworm'
sandbox_base="${VERDICT_BASE_IMAGE:-debian:bookworm-slim}"

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
# `timeout` stops the CLI; a registry that cannot be reached usually fails at once anyway.
try_pull() { timeout "$2" docker pull -q "$1" >/dev/null 2>&1; }

# --- 1. the service base
if [ -n "${VERDICT_SERVICE_BASE_IMAGE:-}" ]; then
  base="$VERDICT_SERVICE_BASE_IMAGE"
  if ! have_image "$base"; then
    log "pulling $base"
    docker pull -q "$base" >/dev/null
  fi
elif have_image "$registry_base" || try_pull "$registry_base" 20; then
  base="$registry_base"
else
  log "$registry_base is neither present nor pullable; using $bootstrap_tag"
  base="$bootstrap_tag"
  if ! have_image "$base"; then
    log "bootstrapping $base from Debian's archive"
    bash sandbox-images/bootstrap-base.sh "$base" >&2
  fi
fi
log "service base: $base"

# --- 2. the build context, in a temporary directory: only what the Dockerfile copies
ctx="$(mktemp -d "${TMPDIR:-/tmp}/verdict-service-context.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
cp deploy/service.Dockerfile "$ctx/Dockerfile"
cp package.json package-lock.json tsconfig.json tsconfig.build.json "$ctx/"
cp -R src sandbox-images bin "$ctx/"
mkdir -p "$ctx/deploy" "$ctx/node-runtime/bin" "$ctx/node-runtime/lib"
cp deploy/entrypoint.sh "$ctx/deploy/"
mkdir -p "$ctx/scripts"
cp scripts/check-node.mjs "$ctx/scripts/"

mkdir -p "$ctx/build-ca"
ca_file="${VERDICT_BUILD_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}"
if [ -z "$ca_file" ] && command -v npm >/dev/null 2>&1; then
  ca_file="$(npm config get cafile 2>/dev/null || true)"
  [ "$ca_file" = null ] || [ "$ca_file" = undefined ] && ca_file=''
fi
if [ -n "$ca_file" ] && [ -f "$ca_file" ] && [ -s "$ca_file" ]; then
  log "npm ci in the build will also trust the CA certificates in $ca_file"
  cp "$ca_file" "$ctx/build-ca/ca.crt"
fi

# Does the base bring a suitable Node.js of its own? The base has no semver, so
# its version is checked here; without a node on the host the Dockerfile's own
# check decides.
host_node="$(command -v node || true)"
base_node="$(docker run --rm --network none --entrypoint node "$base" -p process.version 2>/dev/null || true)"
if [ -n "$base_node" ] && { [ -z "$host_node" ] || "$host_node" scripts/check-node.mjs "$base_node"; }; then
  log "$base brings its own Node.js ($base_node)"
else
  # Stage the host's Node.js (see the head of deploy/service.Dockerfile). It must
  # itself satisfy engines.node and be built for a glibc no newer than the
  # base's: a nodesource build for Debian bookworm on a bookworm base is; the
  # Dockerfile runs it in the base and fails the build if it is not.
  if [ -z "$host_node" ]; then
    log "$base has no Node.js and neither has this host: install one that satisfies package.json's engines.node here, or set VERDICT_SERVICE_BASE_IMAGE to an image with one"
    exit 1
  fi
  host_node="$(readlink -f "$host_node")"
  if ! "$host_node" scripts/check-node.mjs; then
    log "the host's node ($host_node) cannot be staged either"
    exit 1
  fi
  host_npm="$(dirname "$host_node")/../lib/node_modules/npm"
  [ -f "$host_npm/bin/npm-cli.js" ] || host_npm="$(npm root -g 2>/dev/null)/npm"
  if [ ! -f "$host_npm/bin/npm-cli.js" ]; then
    log "cannot find the host's npm next to $host_node; it is needed to build the image"
    exit 1
  fi
  log "$base has no suitable Node.js: staging the host's $host_node ($("$host_node" --version)) and npm from $(readlink -f "$host_npm")"
  cp "$host_node" "$ctx/node-runtime/bin/node"
  mkdir -p "$ctx/node-runtime/lib/node_modules"
  cp -R "$(readlink -f "$host_npm")" "$ctx/node-runtime/lib/node_modules/npm"
fi

# --- 3. the sandbox base, which the service container cannot make itself
if have_image "$sandbox_base" || have_image "$bootstrap_tag"; then
  log "sandbox base present"
elif try_pull "$sandbox_base" 60; then
  log "pulled sandbox base $sandbox_base"
else
  log "cannot pull $sandbox_base; bootstrapping $bootstrap_tag from Debian's archive"
  bash sandbox-images/bootstrap-base.sh "$bootstrap_tag" >&2
fi

# --- 4. build (layers are cached: package-lock.json, src/ and the staged node are keyed by content)
log "building $tag"
started=$SECONDS
# The host's proxy settings reach `npm ci` in the build (build_replacing passes them on).
build_replacing "$tag" "$ctx" --build-arg "BASE_IMAGE=$base" --label "verdict.service.base=$base"
log "built $tag in $((SECONDS - started)) s"
echo "$tag"
