"""Helpers for scenario scripts: every call prints one normalized transcript line.

A line names the operation with paths relative to the working directory and its outcome: `OK`
(optionally with a value) or the errno name. Nothing that legitimately differs between two
directories (inode numbers, absolute paths, wall-clock times) may be printed.
"""
import errno
import os
import stat
import sys

sys.stdout.reconfigure(line_buffering=True)


def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def do(label, fn, *args, show=None, **kwargs):
    """Runs fn(*args); prints `label: OK[ value]` or `label: ERRNO`. Returns the value or None."""
    try:
        value = fn(*args, **kwargs)
    except OSError as e:
        print(f"{label}: {ename(e)}")
        return None
    if show is None:
        print(f"{label}: OK")
    else:
        print(f"{label}: OK {show(value)}")
    return value


def kind(mode):
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
                       (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "chr"), (stat.S_ISBLK, "blk"),
                       (stat.S_ISSOCK, "sock")):
        if test(mode):
            return name
    return "unknown"


def describe(s, size=True):
    text = f"{kind(s.st_mode)} {stat.S_IMODE(s.st_mode):04o} nlink={s.st_nlink} uid={s.st_uid} gid={s.st_gid}"
    if size:
        text += f" size={s.st_size}"
    if stat.S_ISCHR(s.st_mode) or stat.S_ISBLK(s.st_mode):
        text += f" rdev={os.major(s.st_rdev)},{os.minor(s.st_rdev)}"
    return text


def st(path, follow=False, label=None, size=True):
    """Prints the comparable fields of lstat(path) (stat with follow=True)."""
    name = label or (("stat " if follow else "lstat ") + show_path(path))
    do(name, os.stat if follow else os.lstat, path, show=lambda s: describe(s, size))


def show_path(path):
    if isinstance(path, bytes):
        return repr(path)
    return path if len(path) <= 40 else f"{path[:12]}...({len(path)} bytes)"


def write_file(path, data, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def listing(path="."):
    """Sorted `name:type` entries of a directory (type from d_type via scandir)."""
    out = []
    with os.scandir(path) as it:
        for e in it:
            t = "dir" if e.is_dir(follow_symlinks=False) else "symlink" if e.is_symlink() else \
                "file" if e.is_file(follow_symlinks=False) else "other"
            out.append(f"{e.name}:{t}")
    return " ".join(sorted(out))
