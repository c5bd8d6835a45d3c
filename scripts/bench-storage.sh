#!/usr/bin/env bash
# Benchmarks how small txfs keeps its state directory (issue 15, "Garbage collection that keeps up"):
# CYCLES cycles of "in view cN write FILES files of KIB KiB each (in WRITE_BS-byte writes, the same paths
# every cycle), publish, flush, remove the view", then `txfs gc`. Reports after each cycle the state
# directory (allocated and apparent bytes), its RocksDB WAL and blob files and chunk data files; after gc
# the same, against the target 1.5 x (live pending + kept versions) + 64 MiB, and gc time per GiB
# reclaimed. Prints a markdown table and writes it into docs/benchmarks.md (section "Storage").
#
# Usage (as root): bash scripts/bench-storage.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-storage), BENCH_CYCLES (10), BENCH_FILES (1000),
#   BENCH_FILE_KIB (100), BENCH_WRITE_BS (4096), TXFS_JAR (default fs-tools/target/txfs.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bench-lib.sh

write_doc=1
[ "${1:-}" = "--no-write" ] && write_doc=0
bench_require_root "the mount and dropping caches"
command -v jq >/dev/null || bench_die "jq is needed to read the daemon's JSON replies"

cycles=${BENCH_CYCLES:-10}
files=${BENCH_FILES:-1000}
kib=${BENCH_FILE_KIB:-100}
bs=${BENCH_WRITE_BS:-4096}
base=${BENCH_DIR:-/var/tmp/txfs-bench-storage}
bench_use_txfs "$repo"

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"/{backing/data,mnt,src}
mnt=$base/mnt
state=$base/state
cleanup() {
  if bench_is_mounted "$mnt"; then
    txfs unmount "$mnt" 2>/dev/null || bench_unmount "$mnt" || true
  fi
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# sizes: "allocated apparent wal blob chunks" in bytes, of the engine's state (STATE/engine)
sizes() {
  local e=$state/engine
  echo "$(du -s -B1 "$e" | cut -f1) $(du -s -b "$e" | cut -f1)" \
    "$(find "$e/db" -name '*.log' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')" \
    "$(find "$e/db" -name '*.blob' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')" \
    "$(du -s -B1 "$e/chunks" | cut -f1)"
}

bench_log "making $cycles sources of $kib KiB"
for c in $(seq 1 "$cycles"); do head -c $((kib * 1024)) /dev/urandom > "$base/src/$c"; done
txfs mount --state "$state" "$base/backing" "$mnt" >&2
bench_await_mount "$mnt"

rows=$base/rows.md
: > "$rows"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $(seq 1 "$cycles"); do
  t0=$(bench_now_ns)
  txfs run --mount "$mnt" --view "c$c" -- bash -c '
    cd "$1/data"
    for i in $(seq -w 1 "$2"); do dd if="$3" of="f$i" bs="$4" status=none || exit 1; done' _ "$mnt" "$files" "$base/src/$c" "$bs" 2>/dev/null
  t1=$(bench_now_ns)
  txfs publish --mount "$mnt" "c$c" 2>/dev/null
  txfs flush --mount "$mnt" 2>/dev/null
  txfs views rm --mount "$mnt" "c$c" >/dev/null 2>&1
  t2=$(bench_now_ns)
  read -r alloc apparent wal blob chunks < <(sizes)
  echo "| $c | $(((t1 - t0) / 1000000)) | $(((t2 - t1) / 1000000)) | $(mib "$alloc") | $(mib "$wal") | $(mib "$blob") | $(mib "$chunks") |" >> "$rows"
  bench_log "cycle $c: state $(mib "$alloc") MiB (WAL $(mib "$wal"), blobs $(mib "$blob"), chunk files $(mib "$chunks"))"
done
read -r alloc0 apparent0 wal0 blob0 chunks0 < <(sizes)
gc_json=$base/gc.json
t0=$(bench_now_ns)
txfs gc --mount "$mnt" --json > "$gc_json"
t1=$(bench_now_ns)
read -r alloc1 apparent1 wal1 blob1 chunks1 < <(sizes)
gc_ms=$(((t1 - t0) / 1000000))
pending=$(txfs views --mount "$mnt" --json | jq '[.views[].changed_bytes] | add // 0')
# kept versions: what publishes not yet flushed hold (--keep-versions 1, the default, keeps no more)
kept=$(txfs log --mount "$mnt" --json | jq '.flushed_version as $f | [.entries[] | select(.kind == "publish" and .version > $f) | .bytes] | add // 0')
target=$(awk -v p="$pending" -v k="$kept" 'BEGIN { printf "%.0f", 1.5 * (p + k) + 64 * 1048576 }')
reclaimed=$((alloc0 > alloc1 ? alloc0 - alloc1 : 0))
daemon_ms=$(jq .millis "$gc_json")
per_gib=$(awk -v ms="$daemon_ms" -v r="$reclaimed" 'BEGIN { if (r > 0) printf "%.0f ms", ms / (r / 1073741824); else print "n/a (nothing reclaimed)" }')
verdict=$([ "$alloc1" -le "$target" ] && echo "within" || echo "ABOVE")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

table=$base/table.md
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine_line); one run."
  echo "State directory on $(df -T "$base" | awk 'NR == 2 { print $2 " (" $1 ")" }'); $cycles cycles of $files files of $kib KiB" \
    "(the same paths each cycle, written with dd bs=$bs) in view cN, then publish, flush, \`txfs views rm cN\`."
  echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after (other work on the machine adds noise)."
  echo "Sizes are of STATE/engine in MiB, allocated (\`du\`); WAL = \`db/*.log\`, blobs = \`db/*.blob\`, chunk files = \`chunks/\`."
  echo
  echo "| cycle | write (ms) | publish + flush + rm (ms) | state | WAL | blobs | chunk files |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  cat "$rows"
  echo
  echo "| after the cycles | before \`txfs gc\` | after \`txfs gc\` |"
  echo "| --- | ---: | ---: |"
  echo "| state (MiB, allocated) | $(mib "$alloc0") | $(mib "$alloc1") |"
  echo "| state (MiB, apparent) | $(mib "$apparent0") | $(mib "$apparent1") |"
  echo "| WAL (MiB) | $(mib "$wal0") | $(mib "$wal1") |"
  echo "| blob files (MiB) | $(mib "$blob0") | $(mib "$blob1") |"
  echo "| chunk data files (MiB) | $(mib "$chunks0") | $(mib "$chunks1") |"
  echo
  echo "Live pending $(mib "$pending") MiB, kept versions $(mib "$kept") MiB: target 1.5 × (pending + kept) + 64 MiB" \
    "= $(mib "$target") MiB; after gc the state is $(mib "$alloc1") MiB, **$verdict** the target."
  echo "\`txfs gc\` took $daemon_ms ms in the daemon ($gc_ms ms with the CLI's JVM start) and reclaimed $(mib "$reclaimed") MiB" \
    "allocated: $per_gib per GiB reclaimed (daemon time). Its reply: \`$(cat "$gc_json")\`"
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  bench_write_marked "$repo/docs/benchmarks.md" storage "Storage (issue 15)" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
