# The Verdict service image. Build it with deploy/build-service-image.sh, which
# assembles the build context in a temporary directory (so the host's
# node_modules/ and dist/ are never sent) and picks BASE_IMAGE:
#
#   * node:20-bookworm-slim (the default below) where a registry is reachable:
#     Node.js and npm come with the base, node-runtime/ in the context is empty.
#   * verdict/debian-bootstrap:bookworm (Debian bookworm bootstrapped from
#     Debian's archive with sandbox-images/bootstrap-base.sh) where no registry
#     is reachable. It has no Node.js, and Debian bookworm's own nodejs (v18) is
#     too old for the service (package.json engines.node). So the script stages
#     the HOST's Node.js into the context: node-runtime/bin/node (the host's
#     `command -v node`, a nodesource build for Debian bookworm, dynamically
#     linked against bookworm's glibc/libstdc++, which the bootstrapped base
#     carries) and
#     node-runtime/lib/node_modules/npm (the host's npm, used by the build
#     stages only). The staged binary lands in /usr/local/bin, which comes before
#     /usr/bin in PATH. The checks below (node stage, then prod-deps) fail the build
#     if the node that ends up in the image is missing, cannot run on the base, or
#     does not satisfy engines.node.
#
# Context layout (made by the script): package.json, package-lock.json,
# tsconfig.json, tsconfig.build.json, src/, sandbox-images/, bin/,
# deploy/entrypoint.sh, scripts/check-node.mjs, node-runtime/bin/,
# node-runtime/lib/ (both may be empty), build-ca/ (empty, or ca.crt: see the
# npm stage).
#
# Only the classic builder's features are used (no --chmod, no --mount), so it
# builds with Docker 20.10's legacy builder as well as with BuildKit.

ARG BASE_IMAGE=node:20-bookworm-slim

# --- node: the base plus a Node.js (the base's own, or the staged host binary);
# this fails the build at once if there is none or it cannot run on the base. Its
# version is checked in prod-deps, where semver is installed.
FROM ${BASE_IMAGE} AS node
COPY node-runtime/bin/ /usr/local/bin/
RUN node -p "'service image uses Node.js ' + process.version"

# --- npm: node plus npm, for the build stages only (the staged host npm, or the base's)
FROM node AS npm
COPY node-runtime/lib/ /usr/local/lib/
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
RUN if [ -f /usr/local/lib/node_modules/npm/bin/npm-cli.js ] && ! command -v npm >/dev/null 2>&1; then \
      ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; \
    fi \
 && npm --version
# Extra CA certificates for `npm ci`, for networks whose HTTPS goes through an
# intercepting proxy (the script stages the host's VERDICT_BUILD_CA_FILE,
# NODE_EXTRA_CA_CERTS or npm `cafile`). Build stages only: the final image
# copies node_modules/ and dist/ out of them and never sees this file.
COPY build-ca/ /usr/local/share/verdict-build-ca/
WORKDIR /app
COPY package.json package-lock.json ./

# --- prod-deps: production dependencies only. Its own stage so that the layer
# is reused until package-lock.json changes, whatever happens to src/.
# --ignore-scripts: the only install scripts are optional native add-ons of
# ssh2 (cpu-features, its crypto binding; there is no compiler here and they are
# only used for ssh:// Docker hosts) and protobufjs's version notice.
FROM npm AS prod-deps
RUN ca=/usr/local/share/verdict-build-ca/ca.crt; if [ -s "$ca" ]; then export NODE_EXTRA_CA_CERTS="$ca"; fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The image's node against engines.node in package.json (the one place naming the minimum).
COPY scripts/check-node.mjs scripts/
RUN node scripts/check-node.mjs

# --- build: dev dependencies (typescript) and `npm run build` (tsc -> dist/)
FROM npm AS build
RUN ca=/usr/local/share/verdict-build-ca/ca.crt; if [ -s "$ca" ]; then export NODE_EXTRA_CA_CERTS="$ca"; fi; \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
RUN npm run build

# --- the service
FROM node
# Runs as root, on purpose: the service drives the host's Docker engine through
# the mounted /var/run/docker.sock, and whoever can use that socket is root on
# the host anyway, so a non-root user here buys no isolation. A non-root user
# would also need the socket's group, whose gid differs from host to host (on
# Debian, `docker` is a dynamically allocated system group), so no fixed user
# in the image would work everywhere. If you want it anyway, run with
# `--user 65534:<gid of the socket>` (compose: `user:` plus `group_add:`); the
# service writes nothing to disk, so that works. The sandboxes it starts are
# unprivileged (uid 10001, no capabilities beyond the supervisor's, no network).
#
# No docker CLI in this image: the service speaks the Docker API (dockerode).
# Hence the entrypoint can build sandbox images (via the API) but cannot
# bootstrap their Debian base (that needs the docker CLI and debootstrap): the
# base must already exist in the engine, see deploy/build-service-image.sh.
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    VERDICT_BUILD_IMAGES=true
COPY --from=prod-deps /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY package.json ./
# Read at run time: tags of sandbox images are hashes of these folders, and the
# entrypoint builds missing images from them.
COPY sandbox-images/ sandbox-images/
# The command line (`node bin/verdict.mjs`, or `npx verdict` where the base has
# npm) runs src/cli/verdict.ts under tsx, a production dependency.
COPY bin/ bin/
COPY src/ src/
COPY deploy/entrypoint.sh deploy/entrypoint.sh
EXPOSE 8080
# Liveness only (the process answers); readiness is /readyz, used by compose.
# node:http rather than curl (not in the image) or fetch (slower to load).
# Long start period: on a first start the entrypoint builds sandbox images
# before the server listens, which can take minutes.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10m --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('timeout', () => process.exit(1)).on('error', () => process.exit(1))"]
# The entrypoint builds missing sandbox images (unless VERDICT_BUILD_IMAGES is
# false), then execs `node dist/src/server.js`, which drains on SIGTERM.
CMD ["sh", "/app/deploy/entrypoint.sh"]
