#!/bin/bash
# Issue 5 benchmarks through a live mount: txfs hash of a 100k-file tree (cold, again, after one change),
# canonical diff and status of a one-file delta, export of a ~10k-path delta, and git add -A && git write-tree
# of the same tree (twice, each into a new git dir). Run as root on a machine with /dev/fuse; leaves nothing behind.
set -u
B=$(mktemp -d /tmp/h5bench.XXXX)
mkdir $B/backing $B/mnt
python3 - "$B/backing" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    p = os.path.join(root, "d%04d" % d)
    os.mkdir(p)
    for f in range(100):
        with open(os.path.join(p, "f%03d.txt" % f), "w") as fh:
            fh.write("file %d %d\n" % (d, f))
PY
J="java -jar $(cd "$(dirname "$0")/.." && pwd)/fs-tools/target/txfs.jar"
t() { local s=$(date +%s.%N); "$@"; local e=$(date +%s.%N); echo "TIME $(echo "$e - $s" | bc) s: $*" >&2; }
$J mount --state $B/state $B/backing $B/mnt || { echo mount failed; cat $B/state/daemon.out; exit 1; }
trap '$J unmount $B/mnt; rm -rf $B' EXIT
t $J views --mount $B/mnt > /dev/null   # baseline: JVM start and one control round trip
t $J hash --mount $B/mnt --published
t $J hash --mount $B/mnt --published
t $J hash --mount $B/mnt --backing
$J run --mount $B/mnt --view bv -- /bin/sh -c "echo changed > $B/mnt/d0500/f050.txt"
t $J hash --mount $B/mnt --view bv
$J run --mount $B/mnt --view bv -- /bin/sh -c "echo again > $B/mnt/d0700/f070.txt"
t $J hash --mount $B/mnt --view bv
t $J diff --mount $B/mnt bv --format=jsonl
t $J status --mount $B/mnt bv --canonical --json > /dev/null
$J run --mount $B/mnt --view big -- /bin/sh -c "cd $B/mnt && for d in d00*; do touch \$d/new.txt; done; mkdir -p x && cd x && seq 1 9900 | xargs touch"
t sh -c "$J export --mount $B/mnt big > $B/big.tar"
ls -la $B/big.tar
G=$B/gitdir
t sh -c "git --git-dir=$G init -q && git --git-dir=$G --work-tree=$B/backing add -A && git --git-dir=$G --work-tree=$B/backing write-tree"
rm -rf $G
t sh -c "git --git-dir=$G init -q && git --git-dir=$G --work-tree=$B/backing add -A && git --git-dir=$G --work-tree=$B/backing write-tree"
