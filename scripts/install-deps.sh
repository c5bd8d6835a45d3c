#!/usr/bin/env bash
# Installs the system packages txfs builds, mounts and tests with, when they are missing.
# Usage: scripts/install-deps.sh [build|test|bench]   (each level includes the ones before it)
set -euo pipefail
level=${1:-build}

need=()
want() { # want COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || need+=("$2")
}
want java openjdk-17-jdk-headless
want javac openjdk-17-jdk-headless
want mvn maven
want fusermount3 fuse3
if [ "$level" = test ] || [ "$level" = bench ]; then
  want gcc gcc
  want make make
  want python3 python3
  want setfattr attr
  want git git
  want diff diffutils
  want tar tar
  want setpriv util-linux
  want skopeo skopeo
  want umoci umoci
fi
if [ "$level" = bench ]; then
  want bindfs bindfs
  want fuse-overlayfs fuse-overlayfs
fi
[ ${#need[@]} -eq 0 ] && exit 0

# de-duplicate
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "txfs: missing packages: ${need[*]} (run as root, or: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "txfs: missing packages: ${need[*]}, and no apt-get to install them with" >&2
  exit 1
fi
echo "txfs: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
