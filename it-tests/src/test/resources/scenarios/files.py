# Regular files: create/open/read/write/unlink with their errors.
# expect: open exclusive existing: EEXIST
# expect: open missing: ENOENT
# expect: open dir for write: EISDIR
# expect: open f/x: ENOTDIR
# expect: unlink dir: EISDIR
# expect: unlink missing: ENOENT
# expect: write to O_RDONLY fd: EBADF
from fsx import *

os.umask(0o022)
fd = do("create f", os.open, "f", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
do("write f", os.write, fd, b"hello world", show=str)
do("close f", os.close, fd)
st("f")
do("open exclusive existing", os.open, "f", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
do("open missing", os.open, "missing", os.O_RDONLY)
do("open missing/x create", os.open, "missing/x", os.O_WRONLY | os.O_CREAT, 0o644)
os.mkdir("d")
do("open dir for write", os.open, "d", os.O_WRONLY)
do("open dir for rdwr", os.open, "d", os.O_RDWR)
do("open dir create", os.open, "d", os.O_WRONLY | os.O_CREAT, 0o644)
do("open f/x", os.open, "f/x", os.O_RDONLY)
do("open f/ (trailing slash)", os.open, "f/", os.O_RDONLY)
do("open f O_DIRECTORY", os.open, "f", os.O_RDONLY | os.O_DIRECTORY)
do("read f", read_file, "f", show=repr)

fd = os.open("f", os.O_RDWR)
do("pwrite f at 6", os.pwrite, fd, b"WORLD!", 6, show=str)
do("pread f 0..100", os.pread, fd, 100, 0, show=repr)
do("pread f past EOF", os.pread, fd, 10, 1000, show=repr)
do("lseek f SEEK_END", os.lseek, fd, 0, os.SEEK_END, show=str)
do("lseek f SEEK_CUR -3", os.lseek, fd, -3, os.SEEK_CUR, show=str)
do("read f 10", os.read, fd, 10, show=repr)
do("lseek f negative", os.lseek, fd, -100, os.SEEK_SET)
do("pwrite f beyond EOF", os.pwrite, fd, b"tail", 20, show=str)
do("pread f all", os.pread, fd, 100, 0, show=repr)
os.close(fd)
st("f")

fd = os.open("f", os.O_RDONLY)
do("write to O_RDONLY fd", os.write, fd, b"x")
os.close(fd)
fd = os.open("f", os.O_WRONLY)
do("read from O_WRONLY fd", os.read, fd, 1)
os.close(fd)

fd = os.open("f", os.O_WRONLY | os.O_APPEND)
do("append 1", os.write, fd, b"+A", show=str)
do("pwrite with O_APPEND still appends", os.pwrite, fd, b"+B", 0, show=str)
os.close(fd)
do("read after append", read_file, "f", show=repr)

fd = os.open("f", os.O_WRONLY | os.O_TRUNC)
os.close(fd)
st("f", label="lstat f after O_TRUNC")

for mask in (0o000, 0o022, 0o077):
    os.umask(mask)
    name = f"c{mask:03o}"
    fd = do(f"create {name} 0666", os.open, name, os.O_WRONLY | os.O_CREAT, 0o666)
    os.close(fd)
    st(name)
os.umask(0o022)
fd = do("create exec 0755", os.open, "exec", os.O_WRONLY | os.O_CREAT, 0o755)
os.close(fd)
st("exec")
fd = do("O_CREAT on existing keeps mode", os.open, "exec", os.O_WRONLY | os.O_CREAT, 0o600)
os.close(fd)
st("exec")

# A file that is unlinked while open stays readable through its descriptor.
write_file("ghost", b"still here")
fd = os.open("ghost", os.O_RDWR)
do("unlink ghost while open", os.unlink, "ghost")
do("lstat ghost", os.lstat, "ghost")
do("pread unlinked ghost", os.pread, fd, 100, 0, show=repr)
do("pwrite unlinked ghost", os.pwrite, fd, b"STILL", 0, show=str)
do("fstat unlinked ghost", os.fstat, fd, show=lambda s: describe(s))
os.close(fd)

# O_DIRECT with page-aligned buffers (an anonymous mapping is page-aligned).
import mmap, fcntl
buf = mmap.mmap(-1, 8192)
buf[:] = bytes(range(256)) * 32
fd = do("open O_DIRECT", os.open, "direct", os.O_RDWR | os.O_CREAT | os.O_DIRECT, 0o644)
if fd is not None:
    do("O_DIRECT pwritev 8 KiB", os.pwritev, fd, [buf], 0, show=str)
    back = mmap.mmap(-1, 8192)
    do("O_DIRECT preadv 8 KiB", os.preadv, fd, [back], 0, show=str)
    do("O_DIRECT data equal", lambda: back[:] == buf[:], show=str)
    os.close(fd)
do("buffered read of O_DIRECT data", lambda: read_file("direct") == bytes(range(256)) * 32, show=str)

# copy_file_range and advisory locks.
src = os.open("direct", os.O_RDONLY)
dst = os.open("copy", os.O_WRONLY | os.O_CREAT, 0o644)
do("copy_file_range 8 KiB", lambda: sum(iter(lambda: os.copy_file_range(src, dst, 65536), 0)), show=str)
os.close(src); os.close(dst)
do("copy equals source", lambda: read_file("copy") == read_file("direct"), show=str)
fd = os.open("copy", os.O_RDWR)
do("lockf exclusive", fcntl.lockf, fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
do("flock exclusive", fcntl.flock, fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
fd2 = os.open("copy", os.O_RDWR)
do("second flock conflicts", fcntl.flock, fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.close(fd2); os.close(fd)

do("unlink dir", os.unlink, "d")
do("unlink missing", os.unlink, "missing")
do("unlink f/x", os.unlink, "f/x")
do("unlink f", os.unlink, "f")
st("f")
do("listing", listing, ".", show=str)
