# Sourced by deploy/build-*-image.sh.
#
# build_replacing TAG CONTEXT [docker build options...]
#   `docker build` of CONTEXT as TAG (output on stderr). The host's proxy settings reach the
#   build as Docker's predefined build args, which stay out of the image's history. The image
#   TAG named before is removed once replaced, unless a container still uses it.
build_replacing() {
  local tag="$1" context="$2"
  shift 2
  local previous current var
  local proxy_args=()
  for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    if [ -n "${!var:-}" ]; then proxy_args+=(--build-arg "$var=${!var}"); fi
  done
  previous="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
  docker build --force-rm "${proxy_args[@]}" "$@" --tag "$tag" "$context" >&2
  current="$(docker image inspect -f '{{.Id}}' "$tag")"
  if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
  fi
}
