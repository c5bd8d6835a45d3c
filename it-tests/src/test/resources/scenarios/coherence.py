# Several descriptors and mappings of one file see each other's changes at once (read-only opens may
# be served differently from read-write ones, e.g. by kernel passthrough; they must still agree).
# expect: read-only fd sees write: OK b'NEW!'
# expect: mapping of read-only fd sees write: OK b'MAPD'
from fsx import *
import mmap

write_file("f", b"old content here" * 256)
ro = os.open("f", os.O_RDONLY)
do("read-only fd first read", os.pread, ro, 4, 0, show=repr)
rw = os.open("f", os.O_RDWR)
do("read-write fd first read", os.pread, rw, 4, 0, show=repr)
os.pwrite(rw, b"NEW!", 0)
do("read-only fd sees write", os.pread, ro, 4, 0, show=repr)
do("fresh fd sees write", lambda: read_file("f")[:4], show=repr)
m = mmap.mmap(ro, 0, mmap.MAP_SHARED, mmap.PROT_READ)
os.pwrite(rw, b"MAPD", 8)
do("mapping of read-only fd sees write", lambda: m[8:12], show=repr)
os.pwrite(rw, b"tail", 4096 * 4)
do("size after extending write (fstat ro)", lambda: os.fstat(ro).st_size, show=str)
do("read-only fd reads the extension", os.pread, ro, 4, 4096 * 4, show=repr)
os.ftruncate(rw, 100)
do("size after truncate (fstat ro)", lambda: os.fstat(ro).st_size, show=str)
do("read-only fd read past new EOF", os.pread, ro, 10, 200, show=repr)
m.close()
w2 = os.open("f", os.O_WRONLY | os.O_APPEND)
os.write(w2, b"+appended")
do("read-only fd sees append", os.pread, ro, 20, 95, show=repr)
do("lstat sees append", lambda: os.lstat("f").st_size, show=str)
os.close(w2)

# Writes through a shared mapping reach a read-only descriptor and a new open.
wm = mmap.mmap(rw, 100, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
wm[50:54] = b"MMAP"
do("read-only fd sees mapped write before msync", os.pread, ro, 4, 50, show=repr)
wm.flush()
wm.close()
do("fresh open sees mapped write", lambda: read_file("f")[50:54], show=repr)
os.close(rw)

# Replacing the file by rename: the old descriptor keeps the old inode, a new open gets the new one.
write_file("f.new", b"replacement")
os.rename("f.new", "f")
do("old read-only fd keeps old data", os.pread, ro, 4, 0, show=repr)
do("new open sees replacement", read_file, "f", show=repr)
os.close(ro)

# Two names, one inode: a write through one is read through the other's descriptor.
write_file("a", b"0123456789")
os.link("a", "b")
fa = os.open("a", os.O_RDONLY)
fb = os.open("b", os.O_WRONLY)
os.pwrite(fb, b"XY", 3)
do("read via other link's fd", os.pread, fa, 10, 0, show=repr)
os.truncate("b", 4)
do("size via other link", lambda: os.fstat(fa).st_size, show=str)
os.close(fa); os.close(fb)
