#!/usr/bin/env bash
# fs-core benchmarks (issue 3): publish of 10k paths, 1-byte write into a large backing file,
# sequential write into a view, flush — RocksDB store on the real disk, dd baseline in the same run;
# then OpsBench (per-call µs of lookup/getattr/readdir/create+unlink/read) and SeqBench.
# Usage: scripts/bench-core.sh [WORKDIR (default /var/tmp/txfs-bench-core)] [GiB (default 1)]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/var/tmp/txfs-bench-core}"
gib="${2:-1}"
mvn -B -q -o -pl fs-core test-compile
cp_file="$(mktemp)"
classes="$(mktemp -d)"
trap 'rm -rf "$cp_file" "$classes"' EXIT
# a private copy: a build running beside the benchmark must not change the classes under it
cp -r fs-core/target/classes "$classes/main" && cp -r fs-core/target/test-classes "$classes/test"
mvn -B -q -o -pl fs-core dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
echo "# fs-core bench on $(uname -n), $(nproc) cores, $(date -u +%FT%TZ), work dir $work ($(df -h --output=source,fstype "$(dirname "$work")" | tail -1))" >&2
cp="$classes/main:$classes/test:$(cat "$cp_file")"
java -Xmx1g -cp "$cp" io.txfs.core.bench.CoreBench "$work" "$gib"
echo
# per-call cost of the engine API (what the mount pays when the kernel's caches miss), and a
# sequential write / read-back / flush of one file
java -Xmx1g -cp "$cp" io.txfs.core.bench.OpsBench "$work-ops" 5
echo
echo "sequential, ${gib} GiB through the engine API: $(java -Xmx1g -cp "$cp" io.txfs.core.bench.SeqBench "$work-seq" "$((gib * 1024))" flush 2>/dev/null | tail -1)"
