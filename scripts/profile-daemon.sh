#!/usr/bin/env bash
# Profiles the txfs daemon's CPU with async-profiler (from Maven Central) while a command runs in
# fresh views of a scratch mount, and prints where the request threads' CPU goes (inclusive share per
# frame; the kernel's /dev/fuse round trip, the engine, RocksDB). For finding what a benchmark's gap
# is made of; the numbers are the machine's of that moment, not a benchmark.
#
# Usage (as root): bash scripts/profile-daemon.sh [-n ROUNDS] SOURCE_DIR -- CMD...
#   SOURCE_DIR is copied into the backing directory; CMD runs ROUNDS times (default 5), each time in a
#   new view entered through its own root (txfs run --namespace always), in the copy of SOURCE_DIR.
#   Example: bash scripts/profile-daemon.sh /path/to/c-project -- make -s -j2
# Environment: TXFS_JAR (default fs-tools/target/txfs.jar), PROFILE_INTERVAL (default 200us).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=5
if [ "${1:-}" = "-n" ]; then rounds=$2; shift 2; fi
[ $# -ge 3 ] && [ "$2" = "--" ] || { echo "usage: $0 [-n ROUNDS] SOURCE_DIR -- CMD..." >&2; exit 2; }
source_dir=$(cd "$1" && pwd)
shift 2
[ "$(id -u)" -eq 0 ] || { echo "profile-daemon: run as root (mount namespaces)" >&2; exit 1; }
jar=${TXFS_JAR:-$repo/fs-tools/target/txfs.jar}
[ -f "$jar" ] || { echo "profile-daemon: $jar not found (mvn -B -DskipTests install)" >&2; exit 1; }

version=3.0
ap_jar=$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar
[ -f "$ap_jar" ] || mvn -B -q -ntp dependency:get -Dartifact="tools.profiler:async-profiler:$version" >&2
ap_dir=${XDG_CACHE_HOME:-$HOME/.cache}/txfs/async-profiler-$version
[ -f "$ap_dir/linux-x64/libasyncProfiler.so" ] || (mkdir -p "$ap_dir" && cd "$ap_dir" && unzip -q -o "$ap_jar" 'linux-x64/*')

base=$(mktemp -d /var/tmp/txfs-profile.XXXXXX)
txfs() { java -jar "$jar" "$@"; }
cleanup() {
  txfs unmount "$base/mnt" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$base/backing" "$base/mnt" "$base/state"
}
trap cleanup EXIT
mkdir -p "$base/backing" "$base/mnt"
cp -a "$source_dir" "$base/backing/work"
out=$base/daemon-cpu.collapsed
TXFS_DAEMON_JAVA_OPTS="-agentpath:$ap_dir/linux-x64/libasyncProfiler.so=start,event=cpu,interval=${PROFILE_INTERVAL:-200us},file=$out,collapsed" \
  txfs mount --state "$base/state" "$base/backing" "$base/mnt" >&2
for i in $(seq 1 "$rounds"); do
  (cd "$base/mnt/work" && txfs run --view "profile-$i" --namespace always -- "$@" >/dev/null 2>"$base/round-$i.err") \
    || { echo "profile-daemon: round $i failed (see $base/round-$i.err)" >&2; exit 1; }
done
# the agent writes the profile when the daemon's JVM exits, which a clean unmount lets it do
txfs unmount "$base/mnt" >&2
for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
[ -s "$out" ] || { echo "profile-daemon: no profile written" >&2; exit 1; }
awk -v rounds="$rounds" '
  { n = $NF; stack = substr($0, 1, length($0) - length(n) - 1)
    if (stack !~ /FuseSession\.serve/) next
    total += n; split(stack, f, ";"); delete seen
    for (i in f) if (!(f[i] in seen)) { seen[f[i]] = 1; incl[f[i]] += n } }
  END {
    printf "request threads: %d samples over %d rounds; inclusive share per frame (>= 2%%):\n", total, rounds > "/dev/stderr"
    for (k in incl) if (incl[k] / total >= 0.02 && k ~ /txfs|rocksdb|fuse_dev|ksys_|schedule/)
      printf "%6.1f%%  %s\n", 100 * incl[k] / total, k
  }' "$out" | sort -k1,1 -r -n
echo "collapsed stacks: $out" >&2
