#!/usr/bin/env bash
# A/B comparison of two txfs builds on the `txfs run` fast path, in a few minutes: for each build, a
# fresh view per repetition runs `find -printf '%s %m'` twice over a 10k-file tree (the second pass
# shows the kernel caches), the 10k-file create/stat/read/unlink phases of bench-meta and `make -j2`
# of a 60-file C project; the two builds alternate within each repetition (the machine is shared:
# compare medians, never against numbers from another time; they take turns going first). The native directory's find and build
# are measured in the same rounds, and the builds' medians printed at the end. With the daemon's
# `stats` verb (builds that have it), prints the requests of the warm pass by opcode.
#
# Usage (as root): bash scripts/bench-views-ab.sh DIR_A DIR_B
#   DIR_A, DIR_B: each holds a txfs.jar and its lib/ (copies of fs-tools/target after `mvn package`).
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-ab), BENCH_REPS (3), BENCH_FILES (10000),
#   BENCH_SOURCES (C files in the build, 60), BENCH_RUN_A / BENCH_RUN_B (extra `txfs run` options for that
#   side's measured views, e.g. BENCH_RUN_B=--trace with one build as both sides: the cost of tracing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
[ $# -eq 2 ] || bench_die "usage: $0 DIR_A DIR_B"
[ "$(id -u)" -eq 0 ] || bench_die "run as root: the mounts and namespaces need it"
declare -A jar=([A]=$(readlink -f "$1")/txfs.jar [B]=$(readlink -f "$2")/txfs.jar)
for v in A B; do [ -f "${jar[$v]}" ] || bench_die "${jar[$v]} not found"; done
base=${BENCH_DIR:-/var/tmp/txfs-bench-ab}
reps=${BENCH_REPS:-3}
files=${BENCH_FILES:-10000}
sources=${BENCH_SOURCES:-60}
[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base/bin"
txfs() { local v=$1; shift; java -jar "${jar[$v]}" "$@"; }
cleanup() {
  local v
  for v in A B; do
    bench_is_mounted "$base/$v/mnt" && { txfs "$v" unmount "$base/$v/mnt" 2>/dev/null || bench_unmount "$base/$v/mnt" || true; }
  done
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT
bench_build_meta "$base/bin"
for v in A B; do
  mkdir -p "$base/$v/backing/tree" "$base/$v/mnt"
  for d in $(seq 0 99); do
    mkdir "$base/$v/backing/tree/d$d"
    for f in $(seq 0 $((files / 100 - 1))); do : > "$base/$v/backing/tree/d$d/f$f"; done
  done
  bench_make_project "$base/$v/backing/proj" "$sources"
  txfs "$v" mount --state "$base/$v/state" "$base/$v/backing" "$base/$v/mnt" >&2
  bench_await_mount "$base/$v/mnt"
done
declare -A run_opts=([A]=${BENCH_RUN_A:-} [B]=${BENCH_RUN_B:-})
# shellcheck disable=SC2086 # the extra options are words
in_view() { local v=$1 view=$2; shift 2; txfs "$v" run --mount "$base/$v/mnt" --view "$view" --namespace always ${run_opts[$v]} -- "$@" 2>/dev/null; }
# the first view of a mount imports the backing directories into the store: not part of any pass
for v in A B; do in_view "$v" warmup find "$base/$v/mnt/tree" -printf '' ; done

finds='t0=$(date +%s%N); find "$1/tree" -printf "%s %m\n" >/dev/null; t1=$(date +%s%N)
  [ -n "${2:-}" ] && { exec 3<>"$1/.txfs/ctl"; echo stats >&3; cat <&3 > "$2.before"; exec 3>&-; }
  t2=$(date +%s%N); find "$1/tree" -printf "%s %m\n" >/dev/null; t3=$(date +%s%N)
  [ -n "${2:-}" ] && { exec 3<>"$1/.txfs/ctl"; echo stats >&3; cat <&3 > "$2.after"; exec 3>&-; }
  echo $(((t1 - t0) / 1000000)) $(((t3 - t2) / 1000000))'
bench_make_project "$base/native-proj" "$sources"
# a fresh view has no outputs; the native project's are removed before each build
build='cd "$1" && rm -f ./*.o prog && t0=$(date +%s%N) && make -s -j2 >/dev/null && t1=$(date +%s%N) && [ -x prog ] && echo $(((t1 - t0) / 1000000))'
declare -A builds
for r in $(seq 1 "$reps"); do
  read -r n1 n2 < <(bash -c "$finds" _ "$base/A/backing")
  b=$(bash -c "$build" _ "$base/native-proj")
  builds[native]+=" $b"
  echo "round $r native: find first ${n1} ms, again ${n2} ms; make -j2 ${b} ms"
  # the builds take turns going first: the second of a round runs on a disk still writing back the first's
  # files (measured: the same build's create phase 10-30% slower when it always went second)
  order="A B"
  [ $((r % 2)) -eq 0 ] && order="B A"
  for v in $order; do
    read -r f1 f2 < <(in_view "$v" "find$r" bash -c "$finds" _ "$base/$v/mnt" "$base/stats-$v-$r")
    m=$(in_view "$v" "meta$r" bash -c 'mkdir -p "$1/meta" && "$2" "$1/meta" "$3"' _ "$base/$v/mnt" "$base/bin/bench-meta" "$files")
    b=$(in_view "$v" "build$r" bash -c "$build" _ "$base/$v/mnt/proj")
    builds[$v]+=" $b"
    echo "round $r $v: find first ${f1} ms, again ${f2} ms; create/stat/read/unlink µs per file: $m; make -j2 ${b} ms"
  done
done
# shellcheck disable=SC2086 # space-separated lists of numbers
native_build=$(bench_median ${builds[native]})
for v in A B; do
  # shellcheck disable=SC2086
  m=$(bench_median ${builds[$v]})
  echo "$v: make -j2 median $m ms over $reps rounds, $(awk -v a="$m" -v b="$native_build" 'BEGIN { printf "%.2f", a / b }')x native (median $native_build ms)"
done
for v in A B; do
  if [ -s "$base/stats-$v-1.after" ] && grep -q '"requests"' "$base/stats-$v-1.after"; then
    echo "$v: requests during the second find of round 1 (including the stats call's own few):"
    python3 - "$base/stats-$v-1.before" "$base/stats-$v-1.after" <<'PY'
import json, sys
a, b = (json.load(open(p))["requests"] for p in sys.argv[1:3])
print("  " + ", ".join(f"{k} {b[k] - a.get(k, 0)}" for k in sorted(b) if b[k] - a.get(k, 0)))
PY
  fi
done
