# Prints, per case, the mode bits a file has after an operation that may clear setuid/setgid.
# Run as root in the directory under test; the unprivileged steps run in a child as uid/gid 65534.
import os, sys

def as_nobody(fn):
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([]); os.setgid(65534); os.setuid(65534)
            fn()
            os._exit(0)
        except BaseException as e:
            print("child error", repr(e), flush=True)
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

def write(path):
    fd = os.open(path, os.O_WRONLY)
    os.write(fd, b"x")
    os.close(fd)

def ftruncate(path):
    fd = os.open(path, os.O_WRONLY)
    os.ftruncate(fd, 0)
    os.close(fd)

def open_trunc(path):
    os.close(os.open(path, os.O_WRONLY | os.O_TRUNC))

cases = [
    ("nobody writes 4777", 0o4777, lambda p: as_nobody(lambda: write(p))),
    ("nobody writes 2777", 0o2777, lambda p: as_nobody(lambda: write(p))),
    ("nobody writes 6777", 0o6777, lambda p: as_nobody(lambda: write(p))),
    ("nobody writes 2767 (no group exec)", 0o2767, lambda p: as_nobody(lambda: write(p))),
    ("root writes 6777", 0o6777, write),
    ("nobody ftruncates 6777", 0o6777, lambda p: as_nobody(lambda: ftruncate(p))),
    ("nobody opens 6777 with O_TRUNC", 0o6777, lambda p: as_nobody(lambda: open_trunc(p))),
    ("root opens 6777 with O_TRUNC", 0o6777, open_trunc),
    ("root chowns 6755", 0o6755, lambda p: os.chown(p, 65534, 65534)),
    ("root chowns 2745 (no group exec)", 0o2745, lambda p: os.chown(p, 65534, 65534)),
]
for i, (name, mode, op) in enumerate(cases):
    path = "setid-%d" % i
    with open(path, "wb") as f:
        f.write(b"content")
    os.chmod(path, mode)
    rc = op(path)
    print("%s: %s -> %s%s" % (name, oct(mode), oct(os.stat(path).st_mode & 0o7777),
                              "" if rc in (None, 0) else " (child exit %d)" % rc), flush=True)
    os.unlink(path)

# File capabilities go on every write, truncation and chown, whoever makes it (the VFS's
# file_remove_privs and ATTR_KILL_PRIV); the kernel leaves a direct-I/O write's to the daemon.
CAPABILITY = bytes.fromhex("0100000200200000000000000000000000000000")  # v2: cap_net_raw permitted

def capability(path):
    try:
        os.getxattr(path, "security.capability")
        return "kept"
    except OSError:
        return "removed"

cap_cases = [
    ("root writes", write),
    ("nobody writes", lambda p: as_nobody(lambda: write(p))),
    ("root truncates", lambda p: os.truncate(p, 0)),
    ("root chowns", lambda p: os.chown(p, 65534, 65534)),
]
for i, (name, op) in enumerate(cap_cases):
    path = "cap-%d" % i
    with open(path, "wb") as f:
        f.write(b"content")
    os.chmod(path, 0o666)
    os.setxattr(path, "security.capability", CAPABILITY)
    before = capability(path)
    rc = op(path)
    print("capability, %s: %s -> %s%s" % (name, before, capability(path),
                                         "" if rc in (None, 0) else " (child exit %d)" % rc), flush=True)
    os.unlink(path)
