#!/usr/bin/env bash
# Benchmarks what a day of ordinary work leaves behind (issue 15, points 1, 6 and 9): one mount, started
# as users start it (`txfs mount`), and BENCH_ROUNDS rounds of real work, each one `txfs run --commit`
# in a view of its own:
#   remove the previous round's tree, extract Lua's Debian source (a real project, downloaded once with
#   `apt-get source` into BENCH_DIR), build it (`make -j2 linux`), build a generated 400-file C project,
#   and write BENCH_BIG_MIB MiB of random data (a build artifact), then publish and flush.
# After each round: the daemon's VmRSS and its peak (VmHWM, reset before the round), and the bytes of
# the state directory. At the end, after BENCH_IDLE s idle: VmRSS and the state; then `txfs gc` and the
# state again. Prints a markdown table and writes it into docs/benchmarks.md (section "build-rounds").
#
# Usage (as root): bash scripts/bench-build-rounds.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-build-rounds), BENCH_ROUNDS (5),
#   BENCH_BIG_MIB (1024), BENCH_IDLE (60), TXFS_JAR (default fs-tools/target/txfs.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bench-lib.sh

bench_start "the mount and /proc/PID/clear_refs" "$@"
bench_use_txfs "$repo"
rounds=${BENCH_ROUNDS:-5}
big_mib=${BENCH_BIG_MIB:-1024}
idle=${BENCH_IDLE:-60}
base=${BENCH_DIR:-/var/tmp/txfs-bench-build-rounds}
command -v make > /dev/null && command -v cc > /dev/null || bench_die "make and a C compiler are needed"

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"/{backing,mnt,apt/lists/partial,apt/cache,src}
cleanup() {
  if bench_is_mounted "$base/mnt"; then
    txfs unmount "$base/mnt" 2>/dev/null || bench_unmount "$base/mnt" || true
  fi
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

bench_log "downloading Lua's Debian source (apt-get source lua5.4)"
cat > "$base/apt/src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-q -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$base/apt" -o "Dir::State::Lists=$base/apt/lists"
  -o "Dir::Cache=$base/apt/cache")
apt-get "${apt_opts[@]}" update > "$base/apt.log" 2>&1 || { cat "$base/apt.log" >&2; bench_die "apt-get update failed"; }
(cd "$base/src" && apt-get "${apt_opts[@]}" source --download-only lua5.4 >> "$base/apt.log" 2>&1) \
  || { cat "$base/apt.log" >&2; bench_die "apt-get source lua5.4 failed"; }
lua_tar=$(ls "$base"/src/lua5.4_*.orig.tar.gz | head -1)
bench_make_project "$base/src/gen" 400
tar -C "$base/src" -cf "$base/src/gen.tar" gen

txfs mount --state "$base/state" "$base/backing" "$base/mnt" 2> "$base/mount.err" || { cat "$base/mount.err" >&2; bench_die "mount failed"; }
pid=$(grep -o 'daemon pid [0-9]*' "$base/mount.err" | grep -o '[0-9]*$')
[ -n "$pid" ] || bench_die "no daemon pid in: $(cat "$base/mount.err")"
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
state_mib() { du -sm "$base/state" | awk '{ print $1 }'; }
started_rss=$(mib "$(kib VmRSS)")

cat > "$base/round.sh" <<EOF
set -e
cd "$base/mnt"
rm -rf work
mkdir work
cd work
tar -xzf "$lua_tar"
make -s -C lua-* -j2 linux > /dev/null
tar -xf "$base/src/gen.tar"
make -s -C gen -j2 > /dev/null
dd if=/dev/urandom of=big.bin bs=1M count=$big_mib status=none
EOF

rows=()
for r in $(seq 1 "$rounds"); do
  echo 5 > "/proc/$pid/clear_refs" # resets VmHWM to the current resident size
  t0=$(bench_now_ns)
  txfs run --mount "$base/mnt" --commit -- sh "$base/round.sh" || bench_die "round $r failed"
  t1=$(bench_now_ns)
  [ -x "$base/backing/work/gen/prog" ] || bench_die "round $r: the built program is not in the backing directory"
  rows+=("| round $r | $(( (t1 - t0) / 1000000000 )) | $(mib "$(kib VmHWM)") | $(mib "$(kib VmRSS)") | $(state_mib) |")
  bench_log "round $r: $(( (t1 - t0) / 1000000000 )) s, VmRSS $(mib "$(kib VmRSS)") MiB, state $(state_mib) MiB"
done
views=$(txfs views --mount "$base/mnt" | tail -n +2 | wc -l)
sleep "$idle" # the measurement is what remains after an idle period, not a synchronisation
rows+=("| ${idle} s idle after the last round | | | $(mib "$(kib VmRSS)") | $(state_mib) |")
gc_out=$(txfs gc --mount "$base/mnt" --progress=none 2>&1)
rows+=("| after \`txfs gc\` | | | $(mib "$(kib VmRSS)") | $(state_mib) |")
live_mib=$(du -sm "$base/backing" | awk '{ print $1 }')

table=$base/table.md
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(bench_machine_line); one run. Each round is"
  echo "\`txfs run --commit\` (a view of its own, ended at exit) of: remove the last round's tree, extract Lua 5.4 (Debian source)"
  echo "and \`make -j2 linux\`, extract and \`make -j2\` a generated 400-file C project, write $big_mib MiB"
  echo "(scripts/bench-build-rounds.sh). RSS after mount: $started_rss MiB. Views left after the rounds: $views."
  echo "The backing directory holds $live_mib MiB at the end."
  echo
  echo "| after | s | peak RSS (VmHWM) MiB | VmRSS MiB | state directory MiB |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "\`txfs gc\` after the idle minute: $(echo "$gc_out" | grep "^state:")"
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  bench_write_marked "$repo/docs/benchmarks.md" "build-rounds" "Rounds of real builds (issue 15)" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
