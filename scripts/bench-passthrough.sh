#!/usr/bin/env bash
# Benchmarks txfs's passthrough mount side by side with the native directory, bindfs and
# fuse-overlayfs, in one run, on one backing directory (fuse-overlayfs writes to an upper directory
# next to it, on the same disk): 10k-file create/stat/read/unlink latency and 1 GiB sequential
# write and read throughput. Prints a markdown table and writes it into docs/benchmarks.md.
#
# Usage (as root): bash scripts/bench-passthrough.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench; must be on the disk you want to measure),
#   BENCH_FILES (10000), BENCH_MIB (1024), BENCH_REPEAT (5 rounds; the median is reported),
#   BENCH_CONTENDERS (default "native bindfs overlay txfs"),
#   TXFS_JAR (default fs-tools/target/txfs.jar; build it with: mvn -B -DskipTests package -pl fs-tools -am).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bench-lib.sh

write_doc=1
[ "${1:-}" = "--no-write" ] && write_doc=0
bench_require_root "the mounts, allow_other and dropping caches"
bash scripts/install-deps.sh bench

files=${BENCH_FILES:-10000}
mib=${BENCH_MIB:-1024}
repeat=${BENCH_REPEAT:-5}
base=${BENCH_DIR:-/var/tmp/txfs-bench}
jar=${TXFS_JAR:-$repo/fs-tools/target/txfs.jar}
[ -f "$jar" ] || bench_die "$jar not found (build it: mvn -B -DskipTests package -pl fs-tools -am)"
java=${JAVA:-java}

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"/{backing,bin,mnt-bindfs,mnt-overlay,mnt-txfs,overlay-upper,overlay-work}
chmod 755 "$base" "$base"/*
mounts=("$base/mnt-bindfs" "$base/mnt-overlay" "$base/mnt-txfs")

cleanup() {
  local m
  for m in "${mounts[@]}"; do
    if bench_is_mounted "$m"; then
      "$java" -jar "$jar" unmount "$m" 2>/dev/null || bench_unmount "$m" || true
    fi
  done
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

bench_build_meta "$base/bin"

# mount_CONTENDER: mounts it (when it is a mount) and prints the directory to work in.
mount_native() { echo "$base/backing"; }
mount_bindfs() {
  bindfs -o allow_other "$base/backing" "$base/mnt-bindfs"
  bench_await_mount "$base/mnt-bindfs"
  echo "$base/mnt-bindfs"
}
mount_overlay() {
  fuse-overlayfs -o "lowerdir=$base/backing,upperdir=$base/overlay-upper,workdir=$base/overlay-work,allow_other" \
    "$base/mnt-overlay"
  bench_await_mount "$base/mnt-overlay"
  echo "$base/mnt-overlay"
}
mount_txfs() {
  # Detached: txfs mount returns once the mount is observed serving.
  "$java" -jar "$jar" mount --mode passthrough --state "$base/txfs-state" "$base/backing" "$base/mnt-txfs" >&2
  bench_await_mount "$base/mnt-txfs"
  echo "$base/mnt-txfs"
}
unmount_native() { :; }
unmount_bindfs() { bench_unmount "$base/mnt-bindfs"; }
unmount_overlay() { bench_unmount "$base/mnt-overlay"; }
unmount_txfs() {
  "$java" -jar "$jar" unmount "$base/mnt-txfs" >&2 || bench_unmount "$base/mnt-txfs"
  bench_is_mounted "$base/mnt-txfs" && bench_die "txfs unmount left the mount behind"
  # The detached daemon ends with its mount; wait for it so the next contender runs alone.
  local deadline=$((SECONDS + 30))
  while pgrep -f -- "$base/mnt-txfs" >/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if pgrep -f -- "$base/mnt-txfs" >/dev/null; then
    bench_log "txfs daemon still running 30 s after unmount; killing it"
    kill $(pgrep -f -- "$base/mnt-txfs") || true
  fi
}

# BENCH_CONTENDERS narrows the run (e.g. "native bindfs"); missing columns then read n/a.
read -r -a contenders <<< "${BENCH_CONTENDERS:-native bindfs overlay txfs}"
declare -A result
declare -A samples
for c in native bindfs overlay txfs; do for op in create stat read unlink write seqread; do result[$c,$op]=n/a; done; done

# All contenders are mounted for the whole run and take turns within each round, in an order that
# rotates from round to round, so that whatever else the machine is doing weighs on all of them alike.
declare -A dirs
for c in "${contenders[@]}"; do
  bench_log "$c: mounting"
  dirs[$c]=$(mount_"$c")
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
n=${#contenders[@]}
for r in $(seq 1 "$repeat"); do
  for k in $(seq 0 $((n - 1))); do
    c=${contenders[$(((k + r - 1) % n))]}
    dir=${dirs[$c]}
    mkdir "$dir/meta-$c-$r"
    read -r cr stt rd un < <("$base/bin/bench-meta" "$dir/meta-$c-$r" "$files")
    rmdir "$dir/meta-$c-$r"
    w=$(bench_seq_write "$dir/seq-$c-$r" "$mib")
    s=$(bench_seq_read "$dir/seq-$c-$r" "$mib")
    rm -f "$dir/seq-$c-$r"
    samples[$c,create]+=" $cr" samples[$c,stat]+=" $stt" samples[$c,read]+=" $rd" samples[$c,unlink]+=" $un"
    samples[$c,write]+=" $w" samples[$c,seqread]+=" $s"
    bench_log "round $r $c: create $cr stat $stt read $rd unlink $un µs/file; write $w read $s MiB/s" 2>&1 \
      | tee -a "$base/rounds.txt" >&2
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
txfs_init=$(grep -h -o 'negotiated FUSE.*' "$base"/txfs-state/*.log 2>/dev/null | head -1 || true)
for c in "${contenders[@]}"; do
  for op in create stat read unlink write seqread; do
    # shellcheck disable=SC2086 # the samples are a space-separated list of numbers
    result[$c,$op]=$(bench_median ${samples[$c,$op]})
  done
  unmount_"$c"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
table=$base/table.md
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine_line)."
  echo "Backing directory on $(df -T "$base/backing" | awk 'NR == 2 { print $2 " (" $1 ")" }');" \
    "$files files of 1 KiB per metadata phase, $mib MiB sequential, median of $repeat rounds;" \
    "bindfs $(dpkg-query -W -f '${Version}' bindfs 2>/dev/null), fuse-overlayfs $(dpkg-query -W -f '${Version}' fuse-overlayfs 2>/dev/null), default options."
  echo "Load average (1, 5, 15 min) before the rounds: $load_before; after: $load_after" \
    "(other work on the machine adds noise; every contender ran in every round)."
  [ -n "$txfs_init" ] && echo "txfs daemon: $txfs_init."
  echo
  echo "| operation | native | bindfs | fuse-overlayfs | txfs passthrough | txfs / bindfs | txfs / native |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for op in create stat read unlink; do
    case $op in
      create) label="create + write 1 KiB + close (µs/file)" ;;
      stat) label="stat (µs/file)" ;;
      read) label="open + read 1 KiB + close (µs/file)" ;;
      unlink) label="unlink (µs/file)" ;;
    esac
    echo "| $label | ${result[native,$op]} | ${result[bindfs,$op]} | ${result[overlay,$op]} | ${result[txfs,$op]} |" \
      "$(ratio "${result[txfs,$op]}" "${result[bindfs,$op]}") | $(ratio "${result[txfs,$op]}" "${result[native,$op]}") |"
  done
  echo "| sequential write $mib MiB + fsync (MiB/s) | ${result[native,write]} | ${result[bindfs,write]} |" \
    "${result[overlay,write]} | ${result[txfs,write]} | $(ratio "${result[txfs,write]}" "${result[bindfs,write]}") |" \
    "$(ratio "${result[txfs,write]}" "${result[native,write]}") |"
  echo "| sequential read $mib MiB, cold cache (MiB/s) | ${result[native,seqread]} | ${result[bindfs,seqread]} |" \
    "${result[overlay,seqread]} | ${result[txfs,seqread]} | $(ratio "${result[txfs,seqread]}" "${result[bindfs,seqread]}") |" \
    "$(ratio "${result[txfs,seqread]}" "${result[native,seqread]}") |"
  echo
  echo "<details><summary>every round (µs/file; MiB/s)</summary>"
  echo
  echo '```'
  sed 's/^bench: //' "$base/rounds.txt"
  echo '```'
  echo "</details>"
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  bench_write_section "$repo/docs/benchmarks.md" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
