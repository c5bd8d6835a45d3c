#!/usr/bin/env bash
# Benchmarks flush with idle snapshot views (issue 15, point 3): a 2 GiB file and a small one in the
# backing directory, three snapshot views made before any change (idle: nothing runs in them), then a
# 1-byte change published and flushed, twice: in the small file next to the large one, and in the large
# file itself (the case where the old content has to be kept for the snapshots). Reports how long the
# mount's delta-id thread took after each publish (a flush waits for it: the id of a version that
# changed a file hashes that whole file), then each flush's time (a \`flush\` line written to the control file), the bytes each snapshot view pins (`txfs views`, PINNED;
# "n/a" for a txfs without it), how much the state directory grew, and whether the three views still
# read the large file's old bytes (sha256sum in a process run in each view).
# Prints a markdown table and writes it into docs/benchmarks.md (section "snapshot-flush").
#
# Usage (as root): bash scripts/bench-snapshot-flush.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-snapshot-flush), BENCH_MIB (size of the large
#   file, 2048), TXFS_JAR (default fs-tools/target/txfs.jar; point it at another build to compare),
#   BENCH_LABEL (the table's name for that build, default "this tree").
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source scripts/bench-lib.sh
write_doc=$([ "${1:-}" = "--no-write" ] && echo 0 || echo 1)
bench_require_root "txfs run's namespaces"
command -v jq >/dev/null || bench_die "jq is needed to read txfs views --json"

mib=${BENCH_MIB:-2048}
base=${BENCH_DIR:-/var/tmp/txfs-bench-snapshot-flush}
jar=${TXFS_JAR:-$repo/fs-tools/target/txfs.jar}
label=${BENCH_LABEL:-this tree}
[ -f "$jar" ] || bench_die "$jar not found (build it: mvn -B -DskipTests package -pl fs-tools -am)"
java=${JAVA:-java}
txfs() { "$java" -jar "$jar" "$@"; }

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"/{backing,mnt}
mnt=$base/mnt
cleanup() {
  if bench_is_mounted "$mnt"; then txfs unmount "$mnt" 2>/dev/null || bench_unmount "$mnt" || true; fi
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

bench_log "making a $mib MiB file"
dd if=/dev/urandom of="$base/backing/big.bin" bs=1M count="$mib" status=none
echo "small file" > "$base/backing/small.txt"
old_sum=$(sha256sum "$base/backing/big.bin" | cut -d' ' -f1)
sync
txfs mount --state "$base/state" "$base/backing" "$mnt" >&2
bench_await_mount "$mnt"

for i in 1 2 3; do txfs run --mount "$mnt" --view "snap$i" --isolation snapshot -- true >&2; done

state_bytes() { du -sb "$base/state" | cut -f1; }
pinned() { # the PINNED bytes of each snapshot view, "n/a" when the reply has none
  txfs views --mount "$mnt" --json | jq -r '[.views[] | select(.name | startswith("snap")) | (.pinned_bytes // "n/a")] | join(" / ")'
}
# ctl LINE: one control command written to the mount's control file and its JSON reply read, by a
# small client (no JVM start, so the time is the daemon's); prints the reply and, on stderr, the ms.
ctl() {
  python3 - "$mnt/.txfs/ctl" "$1" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
t0 = time.monotonic_ns()
os.write(fd, (sys.argv[2] + "\n").encode())
out = b""
while True:
    b = os.read(fd, 1 << 20)
    if not b:
        break
    out += b
print(out.decode())
print((time.monotonic_ns() - t0) // 1000000, file=sys.stderr)
PY
}
# delta_pending: true while the newest log version's delta id is still being computed.
delta_pending() {
  ctl log 2>/dev/null | jq -e '.entries[-1] | (.delta_id | type) != "string" and (.delta_state // "pending") == "pending"' >/dev/null
}
# flush_after NAME CMD: runs CMD in the read-committed view "writer-NAME" (it pins nothing) and
# publishes it; prints how long the mount's delta-id thread took for that version after the publish
# returned (ms, polled every 0.1 s; a flush waits for it), then how long the flush took (ms).
flush_after() {
  local name=$1 t0 t1 ms
  shift
  txfs run --mount "$mnt" --view "writer-$name" --isolation read-committed --publish -- "$@" >&2
  t0=$(bench_now_ns)
  while delta_pending; do sleep 0.1; done
  t1=$(bench_now_ns)
  sync
  ctl flush > "$base/flush.json" 2> "$base/flush.ms"
  jq -e '.ok == true' "$base/flush.json" >/dev/null || bench_die "flush failed: $(cat "$base/flush.json")"
  echo $(((t1 - t0) / 1000000)) "$(cat "$base/flush.ms")"
}

declare -A result
s0=$(state_bytes)
bench_log "1 byte in the small file"
read -r result[small,id] result[small,ms] < <(flush_after small /bin/sh -c 'printf X | dd of="$0/small.txt" bs=1 seek=3 conv=notrunc status=none' "$mnt")
result[small,pinned]=$(pinned)
s1=$(state_bytes)
result[small,grew]=$((s1 - s0))
bench_log "1 byte in the large file"
read -r result[big,id] result[big,ms] < <(flush_after big /bin/sh -c 'printf X | dd of="$0/big.bin" bs=1 seek="$1" conv=notrunc status=none' "$mnt" $((mib * 524288 + 12345)))
result[big,pinned]=$(pinned)
s2=$(state_bytes)
result[big,grew]=$((s2 - s1))

reads=
for i in 1 2 3; do
  sum=$(txfs run --mount "$mnt" --view "snap$i" -- sha256sum "$mnt/big.bin" | cut -d' ' -f1)
  if [ "$sum" = "$old_sum" ]; then reads+=" snap$i ok;"; else reads+=" snap$i WRONG ($sum, not $old_sum);"; fi
done
[ "$(sha256sum "$base/backing/big.bin" | cut -d' ' -f1)" != "$old_sum" ] || bench_die "the change did not reach the backing file"

table=$base/table.md
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine_line); one run ($label: $(basename "$(dirname "$jar")")/$(basename "$jar"))."
  echo "Backing directory on $(df -T "$base/backing" | awk 'NR == 2 { print $2 " (" $1 ")" }'); a $mib MiB file of random bytes;" \
    "three idle snapshot views made before the changes; times are taken by a small client of the control file" \
    "(no JVM start): the flush's is the daemon's."
  echo "Do the three views read the large file's old bytes afterwards (sha256sum in each)?${reads%;}."
  echo
  echo "| 1-byte change published, then flushed | delta id ready after the publish (ms) | flush (ms) | PINNED per snapshot view (bytes) | state directory grew (bytes) |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for c in small big; do
    echo "| $([ $c = small ] && echo "in a small file next to the $mib MiB file" || echo "in the $mib MiB file") |" \
      "${result[$c,id]} | ${result[$c,ms]} | ${result[$c,pinned]} | ${result[$c,grew]} |"
  done
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  bench_write_marked "$repo/docs/benchmarks.md" snapshot-flush "Flush with idle snapshot views (issue 15)" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
