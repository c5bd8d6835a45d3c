#!/usr/bin/env python3
"""A deterministic random mix of file operations, checked against a model (in the spirit of fsx).

Usage: shared-opmix.py DIR OPS [SEED] [BLOCK]
Works in DIR (created if missing) on up to 128 files of at most 64 KiB: write (40%), read and compare
with the model (25%), truncate (10%), create (8%), unlink (5%), rename (7%), fsync (5%); each operation
opens and closes its file, as a shell or a build tool would. Prints one line per BLOCK operations
(default 10000) with its rate, then "first N: R ops/s" and "last N: R ops/s". Exits 1 at the first read
that differs from the model (naming the operation), 2 on a failed system call.
"""
import os
import random
import sys
import time

MAX_FILES = 128
MAX_SIZE = 64 * 1024


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    base = sys.argv[1]
    ops = int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    block = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    os.makedirs(base, exist_ok=True)
    model = {}  # name -> bytearray
    serial = 0
    rates = []
    t0 = time.monotonic()
    for i in range(1, ops + 1):
        r = rng.random()
        names = list(model)
        kind = "?"
        try:
            if not names or (r < 0.08 and len(names) < MAX_FILES):
                kind = "create"
                serial += 1
                name = "f%d" % serial
                fd = os.open(os.path.join(base, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                os.close(fd)
                model[name] = bytearray()
            elif r < 0.48:
                kind = "write"
                name = rng.choice(names)
                off = rng.randrange(MAX_SIZE - 1)
                n = rng.randint(1, min(8192, MAX_SIZE - off))
                data = bytes([(i + k) & 0xFF for k in range(0, n, 97)]) * 97
                data = data[:n]
                fd = os.open(os.path.join(base, name), os.O_WRONLY)
                os.pwrite(fd, data, off)
                os.close(fd)
                m = model[name]
                if len(m) < off:
                    m.extend(b"\0" * (off - len(m)))
                m[off:off + n] = data
            elif r < 0.73:
                kind = "read"
                name = rng.choice(names)
                m = model[name]
                off = rng.randrange(max(1, len(m) + 1))
                n = rng.randint(1, 16384)
                fd = os.open(os.path.join(base, name), os.O_RDONLY)
                got = os.pread(fd, n, off)
                os.close(fd)
                if got != bytes(m[off:off + n]):
                    print("operation %d: read of %s at %d (%d bytes) differs from the model" % (i, name, off, n), file=sys.stderr)
                    sys.exit(1)
            elif r < 0.83:
                kind = "truncate"
                name = rng.choice(names)
                size = rng.randrange(MAX_SIZE)
                os.truncate(os.path.join(base, name), size)
                m = model[name]
                if size < len(m):
                    del m[size:]
                else:
                    m.extend(b"\0" * (size - len(m)))
            elif r < 0.88:
                kind = "unlink"
                name = rng.choice(names)
                os.unlink(os.path.join(base, name))
                del model[name]
            elif r < 0.95:
                kind = "rename"
                name = rng.choice(names)
                serial += 1
                new = "f%d" % serial
                os.rename(os.path.join(base, name), os.path.join(base, new))
                model[new] = model.pop(name)
            else:
                kind = "fsync"
                name = rng.choice(names)
                fd = os.open(os.path.join(base, name), os.O_WRONLY)
                os.fsync(fd)
                os.close(fd)
        except OSError as e:
            print("operation %d (%s): %s" % (i, kind, e), file=sys.stderr)
            sys.exit(2)
        if i % block == 0:
            t1 = time.monotonic()
            rates.append(block / (t1 - t0))
            print("ops %d-%d: %.0f ops/s" % (i - block + 1, i, rates[-1]), flush=True)
            t0 = t1
    if rates:
        print("first %d: %.0f ops/s" % (block, rates[0]))
        print("last %d: %.0f ops/s" % (block, rates[-1]))
    print("files %d" % len(model))


if __name__ == "__main__":
    main()
