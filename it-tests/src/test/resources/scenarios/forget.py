# The kernel forgets inodes when caches are dropped (FORGET / BATCH_FORGET to a FUSE server); looking
# them up again must give the same files, the same inode numbers and the same hard-link identity.
# expect: inode numbers unchanged after forget: OK True
from fsx import *

def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2\n")  # dentries and inodes: makes the kernel forget them

os.mkdir("many")
for i in range(2000):
    write_file(f"many/f{i}", str(i).encode())
for i in range(0, 2000, 10):
    os.link(f"many/f{i}", f"many/h{i}")
os.makedirs("a/b/c/d")
write_file("a/b/c/d/leaf", b"leaf")
before = {n: os.lstat(f"many/{n}").st_ino for n in os.listdir("many")}
leaf_before = os.lstat("a/b/c/d/leaf").st_ino
held = os.open("many/f7", os.O_RDWR)
held_dir = os.open("a/b", os.O_RDONLY | os.O_DIRECTORY)
drop_caches()
after = {n: os.lstat(f"many/{n}").st_ino for n in os.listdir("many")}
do("entries after forget", lambda: len(after), show=str)
do("inode numbers unchanged after forget", lambda: before == after, show=str)
do("hard links still share an inode", lambda: all(after[f"f{i}"] == after[f"h{i}"] for i in range(0, 2000, 10)), show=str)
do("contents after forget", lambda: all(read_file(f"many/f{i}") == str(i).encode() for i in range(2000)), show=str)
do("deep path after forget", lambda: os.lstat("a/b/c/d/leaf").st_ino == leaf_before, show=str)
do("held descriptor still reads", os.pread, held, 10, 0, show=repr)
do("held descriptor still writes", os.pwrite, held, b"seven", 0, show=str)
do("write via held fd visible by path", read_file, "many/f7", show=repr)
do("openat via held dir fd", lambda: read_file(f"/proc/self/fd/{held_dir}/c/d/leaf"), show=repr)
# Forget again while the files are renamed and removed under the held descriptors.
os.rename("many/f7", "moved7")
os.rename("a", "renamed-a")
drop_caches()
do("held fd after rename and forget", os.pread, held, 10, 0, show=repr)
do("held dir fd after rename and forget", lambda: read_file(f"/proc/self/fd/{held_dir}/c/d/leaf"), show=repr)
do("nlink of renamed file", lambda: os.lstat("moved7").st_nlink, show=str)
os.unlink("moved7")
drop_caches()
do("fstat of unlinked held fd", lambda: describe(os.fstat(held)), show=str)
os.close(held)
os.close(held_dir)
for i in range(0, 2000, 10):
    os.unlink(f"many/h{i}")
drop_caches()
do("nlink back to 1 after unlinking links", lambda: {os.lstat(f"many/f{i}").st_nlink for i in range(0, 2000, 10) if i != 0}, show=str)
do("listing count", lambda: len(os.listdir("many")), show=str)
