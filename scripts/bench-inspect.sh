#!/bin/bash
# Issue 5 benchmarks through a live mount (run as root on a machine with /dev/fuse; leaves nothing behind):
#  - cold `hash published` of a 100k-file tree (first after mount: includes importing the backing listings)
#    and `git add -A && git write-tree` of the same tree in the same run;
#  - warm re-hash after one file changed: in a view, and of the published state after a publish;
#  - canonical diff of a one-file delta; export of a ~10k-path delta.
# Every timing is taken by a small client that writes one line to MOUNT/.txfs/ctl and reads the reply
# (no JVM start); hash replies also carry the daemon's own time (elapsed_ns). Columns: client ms
# (write + read through FUSE), daemon ms (hash only).
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
$J mount --state $B/state $B/backing $B/mnt || { echo mount failed; cat $B/state/daemon.out; exit 1; }
trap '$J unmount $B/mnt; rm -rf $B' EXIT

# ctl LABEL LINE [OUT]: one control command, timed; a raw reply (export) goes to OUT.
ctl() {
  python3 - "$B/mnt/.txfs/ctl" "$1" "$2" "${3:-}" <<'PY'
import json, os, sys, time
ctl, label, line, out = sys.argv[1:5]
fd = os.open(ctl, os.O_RDWR)
t0 = time.monotonic_ns()
os.write(fd, (line + "\n").encode())
chunks = []
while True:
    b = os.read(fd, 1 << 20)
    if not b:
        break
    chunks.append(b)
t1 = time.monotonic_ns()
os.close(fd)
reply = b"".join(chunks)
daemon = ""
if out:
    open(out, "wb").write(reply)
    extra = "%d bytes" % len(reply)
else:
    r = json.loads(reply)
    if "elapsed_ns" in r:
        daemon = "%.1f" % (r["elapsed_ns"] / 1e6)
    if "entries" in r and "delta_objects" in r:
        states = [e.get("delta_state") for e in r["entries"]]
        extra = "%d entries, %d delta ids computed" % (len(states), states.count("computed"))
    else:
        extra = r.get("id", "") or ("%s paths, delta %s" % (r.get("changed_paths"), r.get("delta_id", "")))
print("%-58s %10.1f %10s  %s" % (label, (t1 - t0) / 1e6, daemon, extra))
PY
}
t() { local s=$(date +%s%N); "$@" > /dev/null; local e=$(date +%s%N); printf '%-58s %10.1f %10s\n' "$LABEL" "$(echo "($e - $s) / 1000000" | bc -l)" ""; }

printf '%-58s %10s %10s\n' "what" "client ms" "daemon ms"
ctl "hash published, first after mount (imports listings)" "hash published"
ctl "hash published, again (same version)" "hash published"
G=$B/gitdir
LABEL="git init && git add -A && git write-tree (same tree)"
t sh -c "git --git-dir=$G init -q && git --git-dir=$G --work-tree=$B/backing add -A && git --git-dir=$G --work-tree=$B/backing write-tree"
rm -rf $G
ctl "hash backing (a real directory: no tokens)" "hash backing"

$J run --mount $B/mnt --view bv -- /bin/sh -c "echo changed > $B/mnt/d0500/f050.txt"
ctl "hash view=bv, first after one change" "hash view=bv"
$J run --mount $B/mnt --view bv -- /bin/sh -c "echo again > $B/mnt/d0700/f070.txt"
ctl "hash view=bv, after one more change (warm, target < 50 ms)" "hash view=bv"
ctl "hash view=bv, repeated (same state)" "hash view=bv"
ctl "hash view=bv, repeated (same state)" "hash view=bv"
ctl "diff view=bv format=jsonl (two changed files)" "diff view=bv format=jsonl"

$J run --mount $B/mnt --view pv --publish -- /bin/sh -c "echo published > $B/mnt/d0300/f030.txt"
ctl "hash published after a one-file publish (warm, < 50 ms)" "hash published"
$J run --mount $B/mnt --view pv2 --publish -- /bin/sh -c "echo published2 > $B/mnt/d0900/f090.txt"
ctl "hash published after another one-file publish" "hash published"

$J run --mount $B/mnt --view big -- /bin/sh -c "cd $B/mnt && for d in d00*; do touch \$d/new.txt; done; mkdir -p x && cd x && seq 1 9900 | xargs touch"
ctl "export view=big (10,100-path delta)" "export view=big format=oci-tar" $B/big.tar
ctl "diff view=big format=jsonl (10,100 paths)" "diff view=big format=jsonl"
LABEL="publish view=big (10,100 paths, CLI incl. JVM start)"
t $J publish --mount $B/mnt big
ctl "hash published after the 10,100-path publish" "hash published"
ctl "log (waits for the delta ids)" "log"
