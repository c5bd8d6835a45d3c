#!/bin/sh
# One 1 GiB file: written sequentially from a deterministic stream, read back and checksummed with the
# page cache dropped in between, so that the read comes from the filesystem. GEN names the stream
# generator (a compiled C program: GEN BYTES).
# expect: size: 1073741824
# expect: sha256 of the stream: 8bc211d3f3d77a7615bd60165f930154429cb31adc1a1483d3612eeab4b5495b
set -eu
echo "sha256 of the stream: $("$GEN" 1073741824 | tee big | sha256sum | cut -d' ' -f1)"
echo "size: $(stat -c %s big)"
sync
echo 3 > /proc/sys/vm/drop_caches
echo "sha256 read back: $(dd if=big bs=4M status=none | sha256sum | cut -d' ' -f1)"
echo "tail: $(tail -c 16 big | od -An -tx1 | tr -s ' ')"
echo "one block in the middle: $(dd if=big bs=4096 skip=131071 count=1 status=none | sha256sum | cut -c1-16)"
