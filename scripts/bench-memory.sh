#!/usr/bin/env bash
# Benchmarks the daemon's memory (issue 15, points 6 and 7): the resident size of one mount's daemon,
# started as users start it (`txfs mount`, so its JVM is sized by DaemonJvm), during and after
#   1. a tar extraction of a big tree into a view (BENCH_TREE_FILES files of 1-16 KiB, ~BENCH_TREE_FILES*8 KiB),
#   2. writing BENCH_PENDING_MIB MiB that stay pending in a view,
#   3. writing BENCH_EXPORT_MIB MiB in another view and exporting it with `txfs export` (the tar to /dev/null),
#   4. aborting every view.
# Per phase: the kernel's peak (VmHWM, reset before the phase through /proc/PID/clear_refs), the
# highest VmRSS sampled every 0.5 s, VmRSS and the committed heap BENCH_IDLE s after the phase ended.
# Prints a markdown table and writes it into docs/benchmarks.md (section "memory").
#
# Usage (as root): bash scripts/bench-memory.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-memory), BENCH_TREE_FILES (30000),
#   BENCH_PENDING_MIB (2560), BENCH_EXPORT_MIB (5120), BENCH_IDLE (60), BENCH_LABEL (a name for the run),
#   TXFS_DAEMON_JAVA_OPTS (JVM options after the built-in ones, e.g. -XX:+UseSerialGC to compare),
#   TXFS_JAR (default fs-tools/target/txfs.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bench-lib.sh

bench_start "the mount and /proc/PID/clear_refs" "$@"

tree_files=${BENCH_TREE_FILES:-30000}
pending_mib=${BENCH_PENDING_MIB:-2560}
export_mib=${BENCH_EXPORT_MIB:-5120}
idle=${BENCH_IDLE:-60}
label=${BENCH_LABEL:-default JVM options}
base=${BENCH_DIR:-/var/tmp/txfs-bench-memory}
jar=${TXFS_JAR:-$repo/fs-tools/target/txfs.jar}
[ -f "$jar" ] || bench_die "$jar not found (build it: mvn -B -DskipTests package -pl fs-tools -am)"
java=${JAVA:-java}
txfs() { "$java" -jar "$jar" "$@"; }

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"/{backing,mnt,src}
pid=
sampler=
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  if bench_is_mounted "$base/mnt"; then
    txfs unmount "$base/mnt" 2>/dev/null || bench_unmount "$base/mnt" || true
  fi
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

bench_log "making a tree of $tree_files files to extract"
python3 - "$base/src/tree" "$tree_files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%d" % (i % 100)), "wb") as f:
        f.write(os.urandom(random.randint(1, 16) * 1024))
PY
tar -C "$base/src" -cf "$base/tree.tar" tree
rm -rf "$base/src/tree"
tree_mib=$(( $(stat -c %s "$base/tree.tar") >> 20 ))

txfs mount --state "$base/state" "$base/backing" "$base/mnt" 2> "$base/mount.err" || { cat "$base/mount.err" >&2; bench_die "mount failed"; }
pid=$(grep -o 'daemon pid [0-9]*' "$base/mount.err" | grep -o '[0-9]*$')
[ -n "$pid" ] || bench_die "no daemon pid in: $(cat "$base/mount.err")"
bench_log "daemon pid $pid"
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# VmRSS every 0.5 s into a file; a phase's sampled peak is the maximum over its lines
(while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s%N) $(awk '$1 == "VmRSS:" { print $2 }' /proc/$pid/status 2>/dev/null)"; sleep 0.5; done) > "$base/rss.log" &
sampler=$!

heap_committed_mib() {
  txfs stats --mount "$base/mnt" --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["memory"]["heap_committed"] / 1048576))'
}

rows=()
started_rss=$(mib "$(kib VmRSS)")
# phase NAME COMMAND...: runs the command, then idles; records one table row
phase() {
  local name=$1 t0 t1 hwm sampled after heap
  shift
  echo 5 > "/proc/$pid/clear_refs" # resets VmHWM to the current resident size
  t0=$(bench_now_ns)
  "$@" || bench_die "phase '$name' failed"
  t1=$(bench_now_ns)
  hwm=$(mib "$(kib VmHWM)")
  sampled=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$base/rss.log")
  bench_log "$name: $(( (t1 - t0) / 1000000000 )) s, VmHWM $hwm MiB; idling $idle s"
  sleep "$idle" # the measurement is what remains after an idle period, not a synchronisation
  after=$(mib "$(kib VmRSS)")
  heap=$(heap_committed_mib)
  rows+=("| $name | $(( (t1 - t0) / 1000000000 )) | $hwm | $sampled | $after | $heap |")
}

extract() { txfs run --mount "$base/mnt" --view tarx -- tar -C "$base/mnt" -xf "$base/tree.tar"; }
pending() { txfs run --mount "$base/mnt" --view pending -- dd if=/dev/urandom of="$base/mnt/pending.bin" bs=1M count="$pending_mib" status=none; }
write_big() { txfs run --mount "$base/mnt" --view big -- dd if=/dev/urandom of="$base/mnt/big.bin" bs=1M count="$export_mib" status=none; }
export_big() { txfs export --mount "$base/mnt" big > /dev/null; }
abort_all() { txfs abort --mount "$base/mnt" tarx && txfs abort --mount "$base/mnt" pending && txfs abort --mount "$base/mnt" big; }

phase "tar extraction, $tree_files files ($tree_mib MiB)" extract
phase "$pending_mib MiB pending (dd bs=1M)" pending
phase "write $export_mib MiB in a second view" write_big
phase "export of that $export_mib MiB view (tar to /dev/null)" export_big
phase "abort every view" abort_all
stats=$(txfs stats --mount "$base/mnt")

table=$base/table.md
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(bench_machine_line); one run ($label)."
  echo "Daemon JVM: the built-in options (fs-tools DaemonJvm)${TXFS_DAEMON_JAVA_OPTS:+, then $TXFS_DAEMON_JAVA_OPTS}. RSS after mount: $started_rss MiB."
  echo
  echo "| phase | s | peak RSS (VmHWM) MiB | highest sampled VmRSS MiB | VmRSS ${idle} s after, MiB | heap committed ${idle} s after, MiB |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "<details><summary>txfs stats at the end</summary>"
  echo
  echo '```'
  echo "$stats"
  echo '```'
  echo "</details>"
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  bench_write_marked "$repo/docs/benchmarks.md" "memory:${BENCH_SECTION:-default}" "" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
