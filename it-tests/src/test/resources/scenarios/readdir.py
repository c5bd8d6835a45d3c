# readdir: listings with d_type, d_ino, '.' and '..', a directory spanning many getdents calls.
# expect: count big: OK 3000
from fsx import *
import subprocess

os.mkdir("big")
for i in range(3000):
    name = f"big/entry-{i:05d}-" + "x" * (i % 200)
    if i % 3 == 0:
        os.mkdir(name)
    elif i % 3 == 1:
        write_file(name, b"")
    else:
        os.symlink("target", name)
do("count big", lambda: len(os.listdir("big")), show=str)
do("listing big equals created", lambda: listing("big").count(":dir") == 1000 and listing("big").count(":file") == 1000 and listing("big").count(":symlink") == 1000, show=str)
do("sha256 of sorted listing", lambda: __import__("hashlib").sha256(listing("big").encode()).hexdigest(), show=str)
with os.scandir("big") as it:
    mismatched = [e.name for e in it if e.inode() != os.lstat(os.path.join("big", e.name)).st_ino]
do("d_ino equals st_ino", lambda: len(mismatched), show=str)
do("ls -a shows . and ..", lambda: sorted(subprocess.run(["ls", "-a", "big"], capture_output=True, text=True).stdout.split())[:2], show=str)
os.mkdir("empty")
do("empty listing", lambda: subprocess.run(["ls", "-a", "empty"], capture_output=True, text=True).stdout.split(), show=str)
do("listdir a file", os.listdir, "big/entry-00001-x")
do("listdir missing", os.listdir, "missing")

# Removing entries while iterating: every entry that was not removed is still returned once.
os.mkdir("churn")
for i in range(500):
    write_file(f"churn/{i:04d}", b"")
seen = []
with os.scandir("churn") as it:
    for n, e in enumerate(it):
        seen.append(e.name)
        if n == 10:
            for j in range(0, 500, 2):
                try:
                    os.unlink(f"churn/{j:04d}")
                except FileNotFoundError:
                    pass
odd = {f"{i:04d}" for i in range(1, 500, 2)}
do("survivors all seen", lambda: odd <= set(seen), show=str)
do("no duplicates", lambda: len(seen) == len(set(seen)), show=str)
do("listing after churn", lambda: len(os.listdir("churn")), show=str)

# Reading a directory twice through one descriptor (rewinddir) gives the same entries.
fd = os.open("big", os.O_RDONLY | os.O_DIRECTORY)
first = sorted(os.listdir(fd))
os.lseek(fd, 0, os.SEEK_SET)
second = sorted(os.listdir(fd))
os.close(fd)
do("rewinddir repeats listing", lambda: first == second and len(first) == 3000, show=str)
do("listing top", listing, ".", show=str)
