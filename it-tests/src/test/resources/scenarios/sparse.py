# Sparse files: SEEK_DATA / SEEK_HOLE, allocation (st_blocks, roughly), fallocate modes.
# expect: SEEK_HOLE from 0: OK 4096
# expect: SEEK_DATA from 4096: OK 1048576
# expect: SEEK_DATA past last data: ENXIO
from fsx import *
import ctypes, ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
KEEP_SIZE, PUNCH_HOLE = 0x01, 0x02
def fallocate(fd, mode, off, length):
    if libc.fallocate(fd, mode, off, length) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
MiB = 1 << 20
def alloc(path):
    s = os.lstat(path)
    used = s.st_blocks * 512
    if used == 0:
        return "allocated=0"
    if used < s.st_size // 4:
        return "allocated<size/4"
    if used < s.st_size:
        return "allocated<size"
    return "allocated>=size"

fd = os.open("sparse", os.O_RDWR | os.O_CREAT, 0o644)
os.pwrite(fd, b"a" * 4096, 0)
os.pwrite(fd, b"b" * 4096, MiB)
os.ftruncate(fd, 8 * MiB)
do("fsync", os.fsync, fd)
st("sparse")
do("blocks", alloc, "sparse", show=str)
do("SEEK_DATA from 0", os.lseek, fd, 0, os.SEEK_DATA, show=str)
do("SEEK_HOLE from 0", os.lseek, fd, 0, os.SEEK_HOLE, show=str)
do("SEEK_DATA from 4096", os.lseek, fd, 4096, os.SEEK_DATA, show=str)
do("SEEK_HOLE from 1 MiB", os.lseek, fd, MiB, os.SEEK_HOLE, show=str)
do("SEEK_DATA past last data", os.lseek, fd, MiB + 4096, os.SEEK_DATA)
do("SEEK_HOLE inside trailing hole", os.lseek, fd, 2 * MiB, os.SEEK_HOLE, show=str)
do("SEEK_HOLE at size", os.lseek, fd, 8 * MiB, os.SEEK_HOLE)
do("SEEK_DATA beyond size", os.lseek, fd, 9 * MiB, os.SEEK_DATA)
do("SEEK_DATA negative", os.lseek, fd, -1, os.SEEK_DATA)
do("hole reads zeros", lambda: os.pread(fd, 8192, 8192) == bytes(8192), show=str)
do("data reads back", os.pread, fd, 4, MiB, show=repr)

do("posix_fallocate grows file", os.posix_fallocate, fd, 8 * MiB, 2 * MiB)
st("sparse")
do("allocated tail is not a hole", os.lseek, fd, 8 * MiB, os.SEEK_HOLE, show=str)
do("fallocate KEEP_SIZE beyond EOF", fallocate, fd, KEEP_SIZE, 10 * MiB, 4 * MiB)
st("sparse")
do("blocks after KEEP_SIZE", lambda: os.fstat(fd).st_blocks * 512 >= 4 * MiB, show=str)
do("PUNCH_HOLE|KEEP_SIZE", fallocate, fd, PUNCH_HOLE | KEEP_SIZE, 0, 4096)
st("sparse")
do("punched range reads zeros", lambda: os.pread(fd, 4096, 0) == bytes(4096), show=str)
do("SEEK_HOLE from 0 after punch", os.lseek, fd, 0, os.SEEK_HOLE, show=str)
do("SEEK_DATA from 0 after punch", os.lseek, fd, 0, os.SEEK_DATA, show=str)
do("PUNCH_HOLE without KEEP_SIZE", fallocate, fd, PUNCH_HOLE, 0, 4096)
do("fallocate zero length", fallocate, fd, 0, 0, 0)
do("fallocate negative offset", fallocate, fd, 0, -1, 10)
os.close(fd)
fd = os.open("sparse", os.O_RDONLY)
do("fallocate on O_RDONLY fd", fallocate, fd, 0, 0, 4096)
os.close(fd)

# A file made only of a hole, and one written densely.
fd = os.open("allhole", os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 64 * MiB)
do("all-hole SEEK_DATA", os.lseek, fd, 0, os.SEEK_DATA)
do("all-hole SEEK_HOLE", os.lseek, fd, 0, os.SEEK_HOLE, show=str)
do("all-hole blocks", alloc, "allhole", show=str)
os.close(fd)
write_file("dense", os.urandom(256 * 1024))
fd = os.open("dense", os.O_RDONLY)
os.fsync(fd)
do("dense SEEK_HOLE", os.lseek, fd, 0, os.SEEK_HOLE, show=str)
do("dense blocks", alloc, "dense", show=str)
os.close(fd)
os.mkdir("d")
dfd = os.open("d", os.O_RDONLY)
do("SEEK_DATA on a directory", os.lseek, dfd, 0, os.SEEK_DATA)
os.close(dfd)
