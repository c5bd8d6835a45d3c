# mmap: MAP_SHARED reads of written data, MAP_SHARED writes seen by read(), MAP_PRIVATE stays private.
# expect: shared write visible to read: OK True
# expect: private write invisible to read: OK True
from fsx import *
import hashlib, mmap

MiB = 1 << 20
data = bytes((i * 7 + (i >> 12)) & 0xFF for i in range(4 * MiB))
write_file("f", data)
with open("f", "rb") as f:
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ)
    do("mapped length", len, m, show=str)
    do("mapped sha256", lambda: hashlib.sha256(m[:]).hexdigest(), show=str)
    do("mapped equals written", lambda: m[:] == data, show=str)
    write_file("f2", b"")  # unrelated activity between map and access
    m.close()

with open("f", "r+b") as f:
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    m[0:5] = b"HELLO"
    m[3 * MiB:3 * MiB + 5] = b"WORLD"
    m[-1:] = b"!"
    do("msync", m.flush)
    do("shared write visible to read", lambda: os.pread(f.fileno(), 5, 0) == b"HELLO" and os.pread(f.fileno(), 5, 3 * MiB) == b"WORLD", show=str)
    m.close()
do("after unmap, file has the writes", lambda: (read_file("f")[:5], read_file("f")[3 * MiB:3 * MiB + 5], read_file("f")[-1:]), show=repr)
st("f")

# Writes through write() show up in an existing shared mapping.
with open("f", "r+b") as f:
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ)
    os.pwrite(f.fileno(), b"VIAWRITE", 100)
    do("write() seen through mapping", lambda: m[100:108], show=repr)
    m.close()

with open("f", "r+b") as f:
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE)
    m[0:7] = b"PRIVATE"
    do("private write seen in own mapping", lambda: m[0:7], show=repr)
    do("private write invisible to read", lambda: os.pread(f.fileno(), 7, 0) != b"PRIVATE", show=str)
    m.close()

# Unwritten pages of a file grown with ftruncate read as zero and can be written through the map.
with open("g", "w+b") as f:
    os.ftruncate(f.fileno(), 3 * 4096)
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    do("zero page", lambda: m[4096:4104], show=repr)
    m[8190:8194] = b"edge"
    m.flush()
    m.close()
do("page-boundary write", lambda: read_file("g")[8188:8196], show=repr)
st("g")
do("mmap of a directory", lambda: mmap.mmap(os.open(".", os.O_RDONLY), 4096, mmap.MAP_SHARED, mmap.PROT_READ))
do("sha256 of final file", lambda: hashlib.sha256(read_file("f")).hexdigest(), show=str)
