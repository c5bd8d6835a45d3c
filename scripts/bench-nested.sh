#!/usr/bin/env bash
# Nested views (issue 17): what reading and writing cost in a view eight levels deep (a txfs run inside a
# txfs run, eight times) against a top-level view over the same files. A child copies its parent's pending
# records at its start, so its lookups should cost what a top-level view's do at any depth.
#
#   sudo bash scripts/bench-nested.sh [--no-write]
#
# BENCH_FILES (default 2000) files published and as many pending in the top view; BENCH_REPS (default 5)
# rounds, the two sides alternating and taking turns going first; medians. Writes the "Nested views"
# section of docs/benchmarks.md unless --no-write.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/bench-lib.sh"
bench_start "mounting and dropping caches" "$@"
bench_use_txfs "$repo"
files=${BENCH_FILES:-2000}
reps=${BENCH_REPS:-5}

work=$(mktemp -d /tmp/txfs-bench-nested.XXXXXX)
mnt=$work/mnt
trap 'bench_unmount "$mnt" || true; rm -rf "$work"' EXIT
mkdir -p "$work/backing/pub" "$mnt"
for i in $(seq 1 "$files"); do printf 'published %d\n' "$i" > "$work/backing/pub/p$i"; done
bench_build_meta "$work"
txfs mount --state "$work/state" "$work/backing" "$mnt" >/dev/null
bench_await_mount "$mnt"

# one round of the workload in the view the script runs in: a cold read of every file (lookup, getattr,
# open, read), then bench-meta's create/stat/read/unlink of 500 new files
cat > "$work/measure.sh" <<SH
set -e
sync; echo 3 > /proc/sys/vm/drop_caches
t0=\$(date +%s%N)
find "$mnt/pub" "$mnt/pend" -type f -exec cat {} + > /dev/null
t1=\$(date +%s%N)
mkdir "$mnt/meta"
meta=\$("$work/bench-meta" "$mnt/meta" 500)
rmdir "$mnt/meta"
echo "\$(( (t1 - t0) / 1000000 )) \$meta"
SH
# the top view holds files of its own, pending: every child starts with a copy of their records
txfs run --mount "$mnt" --view top --namespace never -- sh -c 'mkdir "$0/pend"; i=1; while [ $i -le "$1" ]; do
  printf "pending %d\n" $i > "$0/pend/q$i"; i=$((i + 1)); done' "$mnt" "$files" >/dev/null 2>&1

chain() { # chain PREFIX N CMD...: CMD under N txfs runs inside top, of views PREFIX1..N (kept, entered again)
  local prefix=$1 n=$2 args=() d
  shift 2
  for d in $(seq 1 "$n"); do
    args+=("$java" -jar "$jar" run --mount "$mnt" --view "${prefix:-top}${prefix:+$d}" --)
  done
  txfs run --mount "$mnt" --view top -- "${args[@]}" "$@"
}

declare -A results
round() { # round SIDE: one measurement, appended to results[SIDE]
  local line
  # both sides run under nine txfs run processes (top entered again eight times, or eight children), so
  # their start-up (JIT threads on 2 cores) weighs on both alike
  if [ "$1" = top ]; then line=$(chain "" 8 sh "$work/measure.sh" 2>/dev/null)
  else line=$(chain deep 8 sh "$work/measure.sh" 2>/dev/null); fi
  results[$1]+="$line"$'\n'
}
chain deep 8 true 2>/dev/null # make the eight children once
for r in $(seq 1 "$reps"); do
  if [ $((r % 2)) -eq 1 ]; then round top; round deep; else round deep; round top; fi
  bench_log "round $r of $reps done"
done

col() { printf '%s' "${results[$1]}" | awk -v c="$2" 'NF { print $c }'; }
table=$work/table.md
{
  echo "$(bench_machine_line); $(date -u +%Y-%m-%d); $files published and $files pending files; medians of $reps rounds."
  echo "Command: \`BENCH_REPS=$reps bash scripts/bench-nested.sh\`."
  echo
  echo "| phase | top-level view | 8 levels deep | deep/top |"
  echo "| --- | ---: | ---: | ---: |"
  names=("read every file, cold caches, ms" "create, µs per file" "stat, µs" "read, µs" "unlink, µs")
  for c in 1 2 3 4 5; do
    a=$(bench_median $(col top $c)); b=$(bench_median $(col deep $c))
    printf '| %s | %s | %s | **%s** |\n' "${names[$((c - 1))]}" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
  done
} > "$table"
cat "$table"
[ "$write_doc" -eq 1 ] && bench_write_marked "$repo/docs/benchmarks.md" nested "Nested views (issue 17)" "$table"
exit 0
