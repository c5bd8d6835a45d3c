# truncate(2) and ftruncate(2): grow, shrink, content kept and zero-filled, and the errors.
# expect: truncate dir: EISDIR
# expect: truncate missing: ENOENT
# expect: truncate negative: EINVAL
# expect: ftruncate O_RDONLY fd: EINVAL
from fsx import *

write_file("f", b"0123456789")
do("truncate f 4", os.truncate, "f", 4); st("f"); do("read", read_file, "f", show=repr)
do("truncate f 12", os.truncate, "f", 12); st("f"); do("read", read_file, "f", show=repr)
do("truncate f 0", os.truncate, "f", 0); st("f")
do("truncate f 1 MiB", os.truncate, "f", 1 << 20); st("f")
do("all zero", lambda: read_file("f") == bytes(1 << 20), show=str)
fd = os.open("f", os.O_RDWR)
os.pwrite(fd, b"abc", 100)
do("ftruncate 102", os.ftruncate, fd, 102)
do("pread after ftruncate", os.pread, fd, 10, 98, show=repr)
do("fstat size", lambda: os.fstat(fd).st_size, show=str)
do("ftruncate 5000 then write at 4998", lambda: (os.ftruncate(fd, 5000), os.pwrite(fd, b"XYZ", 4998)), show=str)
do("size after write past truncate", lambda: os.fstat(fd).st_size, show=str)
do("tail", os.pread, fd, 10, 4995, show=repr)
os.close(fd)
fd = os.open("f", os.O_RDONLY)
do("ftruncate O_RDONLY fd", os.ftruncate, fd, 0)
os.close(fd)
fd = os.open("f", os.O_WRONLY | os.O_APPEND)
do("ftruncate O_APPEND fd", os.ftruncate, fd, 3)
os.close(fd)
st("f")
os.mkdir("d")
do("truncate dir", os.truncate, "d", 0)
do("truncate missing", os.truncate, "missing", 0)
do("truncate negative", os.truncate, "f", -1)
do("truncate f/x", os.truncate, "f/x", 0)
os.symlink("f", "s")
do("truncate via symlink", os.truncate, "s", 2); st("f"); st("s")
os.mkfifo("p")
do("truncate fifo", os.truncate, "p", 0)
# Truncating a file that another descriptor has mapped or is reading keeps that descriptor valid.
write_file("g", b"x" * 10000)
fd = os.open("g", os.O_RDONLY)
os.truncate("g", 100)
do("read after truncate elsewhere", lambda: len(os.pread(fd, 20000, 0)), show=str)
os.close(fd)
# Same-size truncate still updates mtime.
os.utime("g", ns=(0, 0))
os.truncate("g", 100)
do("same-size truncate moves mtime", lambda: os.lstat("g").st_mtime_ns > 0, show=str)
