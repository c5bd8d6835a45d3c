#!/usr/bin/env bash
# Benchmarks `--default-view shared` (issue 15, point 5): a deterministic random mix of file operations
# checked against a model (scripts/shared-opmix.py; no Debian package provides fsx) run outside any
# view, with the default group commit (100 ms / 1,000 operations) and, for comparison, with
# `--group-ops 1` (every operation its own version, as before group commit). Reports the rate of the
# first and the last block of operations, the number of versions `txfs log` lists afterwards, and the
# group commit's counters. Prints a markdown table and writes it into docs/benchmarks.md (section
# "Shared default").
#
# Usage (as root): bash scripts/bench-shared.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-shared), BENCH_OPS (100000, grouped run),
#   BENCH_UNGROUPED_OPS (10000, the `--group-ops 1` run, in blocks of a fifth; 0 skips it),
#   BENCH_BLOCK (10000, the grouped run's block), BENCH_AUTOFLUSH (10s: a third run, grouped with
#   `--auto-flush 10s`, so that the versions kept since the last flush stay few; empty skips it),
#   TXFS_JAR (default fs-tools/target/txfs.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bench-lib.sh

write_doc=$([ "${1:-}" = "--no-write" ] && echo 0 || echo 1)
[ "$(id -u)" -eq 0 ] && [ -e /dev/fuse ] || bench_die "run as root, with /dev/fuse: the mount needs both"
bench_use_txfs "$repo"
ops=${BENCH_OPS:-100000}
ungrouped_ops=${BENCH_UNGROUPED_OPS:-10000}
block=${BENCH_BLOCK:-10000}
autoflush=${BENCH_AUTOFLUSH-10s}
base=${BENCH_DIR:-/var/tmp/txfs-bench-shared}

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"
cleanup() {
  local m
  for m in "$base"/*/mnt; do
    if bench_is_mounted "$m"; then
      txfs unmount "$m" 2>/dev/null || bench_unmount "$m" || true
    fi
  done
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

declare -A result
# run NAME OPS BLOCK MOUNT-ARGS...: mounts a fresh BACKING in shared mode, runs the op mix in a new session,
# records first/last block rates, total seconds, `txfs log` versions and the group commit counters.
run() {
  local name=$1 n=$2 blk=$3
  shift 3
  local dir=$base/$name
  mkdir -p "$dir"/{backing,mnt,state}
  txfs mount --state "$dir/state" --default-view shared "$@" "$dir/backing" "$dir/mnt" >/dev/null
  bench_await_mount "$dir/mnt"
  local t0 t1
  t0=$(bench_now_ns)
  setsid -w python3 "$repo/scripts/shared-opmix.py" "$dir/mnt/work" "$n" 1 "$blk" > "$dir/opmix.out" \
    || { cat "$dir/opmix.out" >&2; bench_die "the op mix failed ($name)"; }
  t1=$(bench_now_ns)
  result[$name,first]=$(awk '/^first/ { print $3 }' "$dir/opmix.out")
  result[$name,last]=$(awk '/^last/ { print $3 }' "$dir/opmix.out")
  result[$name,blocks]=$(awk '/^ops/ { printf "%s%s", sep, $3; sep = " " }' "$dir/opmix.out")
  result[$name,secs]=$(( (t1 - t0) / 1000000000 ))
  result[$name,ops]=$n
  result[$name,block]=$blk
  result[$name,versions]=$(txfs log --mount "$dir/mnt" | grep -c ' publish shared ' || true)
  result[$name,group]=$(txfs status --json --mount "$dir/mnt" | python3 -c 'import json,sys; g=json.load(sys.stdin)["group_commit"]; print("%d operations, %d groups, %d failures" % (g["operations"], g["groups"], g["failures"]))')
  txfs unmount "$dir/mnt" >/dev/null
  bench_log "$name: first ${result[$name,first]} ops/s, last ${result[$name,last]} ops/s, ${result[$name,versions]} versions"
}

bench_log "grouped: $ops operations"
run grouped "$ops" "$block"
if [ -n "$autoflush" ]; then
  bench_log "grouped with --auto-flush $autoflush: $ops operations"
  run autoflush "$ops" "$block" --auto-flush "$autoflush"
fi
if [ "$ungrouped_ops" -gt 0 ]; then
  bench_log "ungrouped (--group-ops 1): $ungrouped_ops operations"
  run ungrouped "$ungrouped_ops" $((ungrouped_ops / 5)) --group-ops 1
fi

table=$base/table.md
{
  echo "$(bench_machine_line), one run each. Op mix: scripts/shared-opmix.py (40% write ≤ 8 KiB, 25% read"
  echo "checked against a model, 10% truncate, 8% create, 5% unlink, 7% rename, 5% fsync; ≤ 128 files of ≤ 64 KiB;"
  echo "each operation opens and closes its file), run outside any view of a \`--default-view shared\` mount."
  echo
  echo "| run | operations | first block (ops/s) | last block (ops/s) | total (s) | \`txfs log\` versions | group commit |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
  for name in grouped autoflush ungrouped; do
    [ -n "${result[$name,ops]:-}" ] || continue
    case $name in
      grouped) label="group commit (100 ms / 1,000 ops)" ;;
      autoflush) label="group commit and \`--auto-flush $autoflush\`" ;;
      *) label="\`--group-ops 1\` (a version per operation)" ;;
    esac
    echo "| $label | ${result[$name,ops]} (blocks of ${result[$name,block]}) | ${result[$name,first]} | ${result[$name,last]} | ${result[$name,secs]} | ${result[$name,versions]} | ${result[$name,group]} |"
  done
  echo
  echo "Rates per block: grouped: ${result[grouped,blocks]}$([ -n "${result[autoflush,ops]:-}" ] && echo "; with --auto-flush: ${result[autoflush,blocks]}")$([ -n "${result[ungrouped,ops]:-}" ] && echo "; ungrouped: ${result[ungrouped,blocks]}")."
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  bench_write_marked "$repo/docs/benchmarks.md" shared "Shared default (issue 15)" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
