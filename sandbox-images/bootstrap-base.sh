#!/usr/bin/env bash
# Builds a Debian base image from Debian's archive with debootstrap, for hosts
# that reach Debian's mirrors but no container registry. Usage: bootstrap-base.sh TAG
set -euo pipefail
tag="${1:?usage: bootstrap-base.sh TAG}"
suite="${VERDICT_DEBIAN_SUITE:-bookworm}"
mirror="${VERDICT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap-base: debootstrap is missing; install it (apt-get install debootstrap) or set VERDICT_BASE_IMAGE to an image you have" >&2
    exit 1
  fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "bootstrap-base: debootstrap $suite from $mirror (about a minute)"
debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
cat >"$work/rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
SOURCES
# As in Debian's official images: downloaded packages are not kept in image layers.
cat >"$work/rootfs/etc/apt/apt.conf.d/docker-clean" <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
tar -C "$work/rootfs" --numeric-owner -c . | docker import --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "bootstrap-base: imported $tag"
