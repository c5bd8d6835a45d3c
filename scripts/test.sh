#!/usr/bin/env bash
# Runs every test: installs missing system packages (as root), then builds and runs unit and
# integration tests (real FUSE mounts) with Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
exec mvn -B -ntp -Dstyle.color=never verify "$@"
