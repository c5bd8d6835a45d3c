#!/usr/bin/env bash
# Runs the randomized differential test of views (it-tests ViewDifferentialIT) for longer than the suite
# does: two views through the shared root and one through a namespace root change the same names at
# random, and every view is compared with its model after every step.
#   scripts/differential-views.sh [SECONDS [SEED]]     (default 900 s, a fresh seed)
# Needs root and /dev/fuse. Builds the modules it needs; does not install anything into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-900}"
seed_arg=()
if [ "${2:-}" != "" ]; then
  seed_arg=(-Dtxfs.differential.seed="$2")
fi
exec mvn -B -ntp -o -Dstyle.color=never -pl fs-core,fs-fuse,fs-tools,it-tests -am verify \
  -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ViewDifferentialIT \
  -Dtxfs.differential.seconds="$seconds" "${seed_arg[@]}"
