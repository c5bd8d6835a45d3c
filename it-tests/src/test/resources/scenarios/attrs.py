# chmod, chown, utimens (explicit, UTIME_NOW, UTIME_OMIT, nanoseconds), access(2) as root.
# expect: chmod missing: ENOENT
# expect: utime explicit: OK
# expect: mtime after utime: OK 1000000000.123456789
from fsx import *
import time

os.umask(0o022)
write_file("f", b"0123456789")
os.mkdir("d")
os.symlink("f", "s")
for mode in (0o000, 0o600, 0o4755, 0o2755, 0o1777, 0o7777, 0o644):
    do(f"chmod f {mode:04o}", os.chmod, "f", mode)
    st("f")
do("chmod d 0700", os.chmod, "d", 0o700); st("d")
do("chmod via symlink", os.chmod, "s", 0o640); st("f"); st("s")
do("chmod missing", os.chmod, "missing", 0o644)
fd = os.open("f", os.O_RDONLY)
do("fchmod", os.fchmod, fd, 0o604); st("f")
os.close(fd)

do("chown f 65534:65534", os.chown, "f", 65534, 65534); st("f")
do("chown f -1:0 (group only)", os.chown, "f", -1, 0); st("f")
do("chown f 0:-1 (owner only)", os.chown, "f", 0, -1); st("f")
do("lchown s 65534:65534", os.lchown, "s", 65534, 65534); st("s"); st("f")
do("chown via symlink 1:1", os.chown, "s", 1, 1); st("f"); st("s")
do("chown missing", os.chown, "missing", 0, 0)
os.chmod("f", 0o6755)
do("chown of setuid file by root", os.chown, "f", 0, 0)
st("f", label="lstat f (setuid/setgid cleared by chown)")
do("chown d 2:2", os.chown, "d", 2, 2); st("d")

NS = 1_000_000_000
def times(path):
    s = os.lstat(path)
    return f"{s.st_atime_ns // NS}.{s.st_atime_ns % NS:09d} {s.st_mtime_ns // NS}.{s.st_mtime_ns % NS:09d}"
do("utime explicit", os.utime, "f", ns=(500 * NS + 1, 1000 * NS * 1000000 + 123456789))
do("mtime after utime", lambda: f"{os.lstat('f').st_mtime_ns // NS}.{os.lstat('f').st_mtime_ns % NS:09d}", show=str)
do("times after utime", times, "f", show=str)
do("utime dir", os.utime, "d", ns=(7 * NS, 8 * NS)); do("times d", times, "d", show=str)
do("utime symlink itself", os.utime, "s", ns=(3 * NS, 4 * NS), follow_symlinks=False)
do("times s", times, "s", show=str); do("times f unchanged", times, "f", show=str)
do("utime before epoch", os.utime, "f", ns=(-NS, -2 * NS)); do("times f", times, "f", show=str)
do("utime far future", os.utime, "f", ns=(4102444800 * NS, 4102444800 * NS)); do("times f", times, "f", show=str)
do("utime missing", os.utime, "missing", ns=(0, 0))

# UTIME_NOW / UTIME_OMIT through futimens via ctypes (Python's os.utime cannot pass them).
import ctypes, ctypes.util
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
class timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
def utimensat(path, a, m):
    ts = (timespec * 2)(timespec(*a), timespec(*m))
    if libc.utimensat(-100, path.encode(), ts, 0) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
os.utime("f", ns=(10 * NS, 20 * NS))
do("utimensat atime OMIT, mtime 30", utimensat, "f", (0, UTIME_OMIT), (30, 5)); do("times f", times, "f", show=str)
before = time.time_ns()
do("utimensat atime NOW, mtime OMIT", utimensat, "f", (0, UTIME_NOW), (0, UTIME_OMIT))
s = os.lstat("f")
do("atime is now, mtime kept", lambda: (s.st_atime_ns >= before - NS, s.st_mtime_ns), show=str)
do("utimensat both OMIT", utimensat, "f", (0, UTIME_OMIT), (0, UTIME_OMIT))
do("utimensat bad nsec", utimensat, "f", (0, NS), (0, 0))

# Writing moves mtime and ctime forward from a time set in the past.
os.utime("f", ns=(NS, NS))
write_file("f", b"new content")
s = os.lstat("f")
do("write advanced mtime", lambda: s.st_mtime_ns > before - 60 * NS, show=str)
os.utime("d", ns=(NS, NS))
write_file("d/child", b"")
do("create advanced dir mtime", lambda: os.lstat("d").st_mtime_ns > NS, show=str)
os.utime("d", ns=(NS, NS))
os.unlink("d/child")
do("unlink advanced dir mtime", lambda: os.lstat("d").st_mtime_ns > NS, show=str)
c0 = os.lstat("f").st_ctime_ns
os.chmod("f", 0o640)
do("chmod did not move ctime backwards", lambda: os.lstat("f").st_ctime_ns >= c0, show=str)

# access(2) as root: R/W always, X needs an x bit somewhere.
for mode in (0o000, 0o100, 0o010, 0o001, 0o644):
    os.chmod("f", mode)
    do(f"access f {mode:04o} R_OK", os.access, "f", os.R_OK, show=str)
    do(f"access f {mode:04o} W_OK", os.access, "f", os.W_OK, show=str)
    do(f"access f {mode:04o} X_OK", os.access, "f", os.X_OK, show=str)
do("access missing F_OK", os.access, "missing", os.F_OK, show=str)
do("access d X_OK", os.access, "d", os.X_OK, show=str)
