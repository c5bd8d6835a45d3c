#!/usr/bin/env bash
# Benchmarks txfs views (issue 4) side by side with the native directory, bindfs and fuse-overlayfs,
# in one run on one backing directory: 10k-file create/stat/read/unlink, find + stat over a 10k-file
# tree twice (the second pass shows the kernel caches working), a C build with make -j2, 1 GiB
# sequential write and read, and two views running the same workload at once on the same names.
# txfs runs twice: in a view entered through its own root in a private mount namespace
# (`txfs run --namespace always`, the fast path) and through the shared root (`--namespace never`).
# Prints a markdown table and writes it into docs/benchmarks.md (section "views").
#
# Usage (as root): bash scripts/bench-views.sh [--no-write]
# Environment: BENCH_DIR (default /var/tmp/txfs-bench-views), BENCH_FILES (10000), BENCH_MIB (1024),
#   BENCH_SOURCES (C files in the build, 60), BENCH_BUILD_ROUNDS (7; the build's median is reported),
#   TXFS_JAR (default fs-tools/target/txfs.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bench-lib.sh

write_doc=1
[ "${1:-}" = "--no-write" ] && write_doc=0
bench_require_root "the mounts, namespaces and dropping caches"
bash scripts/install-deps.sh bench

files=${BENCH_FILES:-10000}
mib=${BENCH_MIB:-1024}
sources=${BENCH_SOURCES:-60}
build_rounds=${BENCH_BUILD_ROUNDS:-7}
base=${BENCH_DIR:-/var/tmp/txfs-bench-views}
bench_use_txfs "$repo"

[ -e "$base" ] && bench_die "$base exists; remove it or set BENCH_DIR"
mkdir -p "$base"/{backing,bin,mnt-bindfs,mnt-overlay,mnt-txfs,overlay-upper,overlay-work}
chmod 755 "$base" "$base"/*
cleanup() {
  local m
  for m in "$base/mnt-txfs" "$base/mnt-bindfs" "$base/mnt-overlay"; do
    if bench_is_mounted "$m"; then
      txfs unmount "$m" 2>/dev/null || bench_unmount "$m" || true
    fi
  done
  rm -rf --one-file-system "$base"
}
trap cleanup EXIT

bench_build_meta "$base/bin"
lib=$repo/scripts/bench-lib.sh

# The shared inputs, in the backing directory before anything is mounted: a 10k-file tree for
# find + stat, and one copy of a small C project per contender (each builds its own copy).
contenders=(native bindfs overlay view root)
bench_log "making the inputs"
mkdir -p "$base/backing/tree"
for d in $(seq 0 99); do
  mkdir "$base/backing/tree/d$d"
  for f in $(seq 0 $((files / 100 - 1))); do : > "$base/backing/tree/d$d/f$f"; done
done
for c in "${contenders[@]}"; do bench_make_project "$base/backing/proj-$c" "$sources"; mkdir "$base/backing/meta-$c"; done
mkdir "$base/backing/pair-view" "$base/backing/pair-root"
sync

bindfs -o allow_other "$base/backing" "$base/mnt-bindfs" && bench_await_mount "$base/mnt-bindfs"
fuse-overlayfs -o "lowerdir=$base/backing,upperdir=$base/overlay-upper,workdir=$base/overlay-work,allow_other" \
  "$base/mnt-overlay" && bench_await_mount "$base/mnt-overlay"
txfs mount --state "$base/txfs-state" "$base/backing" "$base/mnt-txfs" >&2
bench_await_mount "$base/mnt-txfs"

dir_of() {
  case $1 in
    native) echo "$base/backing" ;;
    bindfs) echo "$base/mnt-bindfs" ;;
    overlay) echo "$base/mnt-overlay" ;;
    view | root) echo "$base/mnt-txfs" ;;
  esac
}
# run_in CONTENDER TASK CMD...: runs CMD where the contender's processes run: natively, or inside the
# txfs view bench-CONTENDER-TASK (entered through its own root in a mount namespace, or the shared root).
run_in() {
  local c=$1 task=$2
  shift 2
  case $c in
    view | root)
      local ns=always
      [ "$c" = root ] && ns=never
      txfs run --mount "$base/mnt-txfs" --view "bench-$c-$task" --namespace "$ns" -- "$@" 2>/dev/null
      ;;
    *) "$@" ;;
  esac
}

declare -A result
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in "${contenders[@]}"; do
  dir=$(dir_of "$c")
  bench_log "$c: metadata"
  read -r cr st rd un < <(run_in "$c" meta "$base/bin/bench-meta" "$dir/meta-$c" "$files")
  result[$c,create]=$cr result[$c,stat]=$st result[$c,read]=$rd result[$c,unlink]=$un

  bench_log "$c: find + stat, twice"
  read -r f1 f2 < <(run_in "$c" find bash -c '
    source "$1"; bench_drop_caches
    t0=$(bench_now_ns); find "$2/tree" -printf "%s %m\n" > /dev/null
    t1=$(bench_now_ns); find "$2/tree" -printf "%s %m\n" > /dev/null
    t2=$(bench_now_ns); echo $(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000))' _ "$lib" "$dir")
  result[$c,find1]=$f1 result[$c,find2]=$f2

  bench_log "$c: sequential"
  read -r w r < <(run_in "$c" seq bash -c 'source "$1"; w=$(bench_seq_write "$2/seq-$3" "$4"); r=$(bench_seq_read "$2/seq-$3" "$4"); rm -f "$2/seq-$3"; echo $w $r' \
    _ "$lib" "$dir" "$c" "$mib")
  result[$c,write]=$w result[$c,seqread]=$r
done

# The build, in rounds: each round every contender builds once, in an order that rotates from round to
# round (a build takes under a second, so one disturbance of the machine would decide a single-round
# comparison). Each txfs build runs in a fresh view, the others after removing the outputs.
n=${#contenders[@]}
declare -A builds
for r in $(seq 1 "$build_rounds"); do
  for k in $(seq 0 $((n - 1))); do
    c=${contenders[$(((k + r - 1) % n))]}
    t=$(run_in "$c" "build-$r" bash -c '
      source "$1"; cd "$2/proj-$3"; rm -f ./*.o prog
      t0=$(bench_now_ns); make -s -j2 >/dev/null; t1=$(bench_now_ns)
      [ -x prog ] || { echo "no prog" >&2; exit 1; }; echo $(((t1 - t0) / 1000000))' _ "$lib" "$(dir_of "$c")" "$c")
    builds[$c]+=" $t"
    bench_log "round $r $c: make -j2 $t ms"
  done
done
for c in "${contenders[@]}"; do
  # shellcheck disable=SC2086 # a space-separated list of numbers
  result[$c,build]=$(bench_median ${builds[$c]})
done

# Two views at once on the same names, against one view alone (the fast path, then the shared root).
for c in view root; do
  dir=$(dir_of "$c")
  alone=$(run_in "$c" alone "$base/bin/bench-meta" "$dir/pair-$c" "$files" | awk '{ print $1 + $2 + $3 + $4 }')
  run_in "$c" pair-a "$base/bin/bench-meta" "$dir/pair-$c" "$files" > "$base/pair-a" &
  pa=$!
  run_in "$c" pair-b "$base/bin/bench-meta" "$dir/pair-$c" "$files" > "$base/pair-b" &
  pb=$!
  wait "$pa" "$pb"
  result[$c,alone]=$alone
  result[$c,pair]=$(cat "$base/pair-a" "$base/pair-b" | awk '{ s = $1 + $2 + $3 + $4; if (s > m) m = s } END { print m }')
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
txfs_init=$(grep -h -o 'negotiated FUSE.*' "$base"/txfs-state/*.log 2>/dev/null | head -1 || true)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { # row LABEL OP
  local op=$2
  echo "| $1 | ${result[native,$op]} | ${result[bindfs,$op]} | ${result[overlay,$op]} | ${result[view,$op]} | ${result[root,$op]} |" \
    "$(ratio "${result[view,$op]}" "${result[native,$op]}") | $(ratio "${result[view,$op]}" "${result[bindfs,$op]}") |"
}
table=$base/table.md
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(bench_machine_line); one round, the build the median of $build_rounds rotating rounds."
  echo "Backing directory on $(df -T "$base/backing" | awk 'NR == 2 { print $2 " (" $1 ")" }'); $files files per metadata phase;" \
    "find over $files empty files in 100 directories; make -j2 of $sources C files; $mib MiB sequential."
  echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after (other work on the machine adds noise)."
  [ -n "$txfs_init" ] && echo "txfs daemon: $txfs_init."
  echo
  echo "| operation | native | bindfs | fuse-overlayfs | txfs view (run, own root) | txfs view (shared root) | view / native | view / bindfs |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  row "create + write 1 KiB + close (µs/file)" create
  row "stat (µs/file)" stat
  row "open + read 1 KiB + close (µs/file)" read
  row "unlink (µs/file)" unlink
  row "find + stat, cold (ms)" find1
  row "find + stat, again (ms)" find2
  row "make -j2 (ms), median of $build_rounds" build
  row "sequential write $mib MiB + fsync (MiB/s)" write
  row "sequential read $mib MiB, cold (MiB/s)" seqread
  echo
  echo "| two views at once, same names (four metadata phases summed, µs per file) | alone | each of two at once | ratio |"
  echo "| --- | ---: | ---: | ---: |"
  for c in view root; do
    echo "| txfs $([ $c = view ] && echo 'view (own root)' || echo 'view (shared root)') | ${result[$c,alone]} | ${result[$c,pair]} | $(ratio "${result[$c,pair]}" "${result[$c,alone]}") |"
  done
  echo
  echo "<details><summary>every build (ms, in round order)</summary>"
  echo
  echo '```'
  for c in "${contenders[@]}"; do echo "$c:${builds[$c]}"; done
  echo '```'
  echo "</details>"
} > "$table"
cat "$table"
if [ "$write_doc" -eq 1 ]; then
  # its own markers, beside the passthrough results
  bench_write_marked "$repo/docs/benchmarks.md" views "Views (issue 4)" "$table"
  bench_log "results written into docs/benchmarks.md"
fi
