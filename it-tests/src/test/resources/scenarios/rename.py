# rename(2): files and directories, replacement rules, their errors, and EXDEV across filesystems.
# OUTSIDE names a directory on another filesystem than the working directory.
# expect: rename dir over non-empty dir: ENOTEMPTY
# expect: rename dir over empty dir: OK
# expect: rename file over dir: EISDIR
# expect: rename dir over file: ENOTDIR
# expect: rename missing: ENOENT
# expect: rename dir into own subdir: EINVAL
# expect: rename file to OUTSIDE: EXDEV
# expect: link file into OUTSIDE: EXDEV
from fsx import *

outside = os.environ["OUTSIDE"]
os.mkdir("d1"); write_file("d1/inner", b"inner")
os.mkdir("empty")
os.mkdir("full"); write_file("full/x", b"x")
write_file("f1", b"one"); write_file("f2", b"two")

do("rename file to new name", os.rename, "f1", "g1")
st("f1"); do("read g1", read_file, "g1", show=repr)
do("rename file over file", os.rename, "g1", "f2")
do("read f2", read_file, "f2", show=repr)
st("g1")
write_file("keep", b"keep")
fd = os.open("keep", os.O_RDONLY)
write_file("newer", b"newer")
do("rename over a file that is still open", os.rename, "newer", "keep")
do("old descriptor still reads old data", os.pread, fd, 10, 0, show=repr)
do("new name reads new data", read_file, "keep", show=repr)
os.close(fd)

do("rename dir over empty dir", os.rename, "d1", "empty")
st("d1"); st("empty"); do("read empty/inner", read_file, "empty/inner", show=repr)
do("rename dir over non-empty dir", os.rename, "empty", "full")
do("rename file over dir", os.rename, "f2", "full")
do("rename dir over file", os.rename, "full", "f2")
do("rename missing", os.rename, "missing", "x")
do("rename into missing dir", os.rename, "f2", "missing/x")
do("rename f2/x (ENOTDIR source)", os.rename, "f2/x", "y")
do("rename into file as dir", os.rename, "keep", "f2/x")
do("rename dir into own subdir", os.rename, "full", "full/sub")
os.mkdir("full/sub")
do("rename dir into own grandchild", os.rename, "full", "full/sub/deeper")
do("rename file to itself", os.rename, "f2", "f2")
do("rename dir to itself", os.rename, "full", "full")
do("rename . away", os.rename, ".", "dot")
do("rename full/.. away", os.rename, "full/..", "dotdot")
do("rename file with trailing slash", os.rename, "f2", "f3/")
do("rename dir with trailing slash", os.rename, "full/", "full2/")
st("full2"); st("full2/sub")
do("move dir to other parent", os.rename, "full2", "empty/moved")
st("empty", label="lstat empty (nlink grows)"); st("empty/moved/x")
do("move file between dirs", os.rename, "empty/inner", "top")
do("listing .", listing, ".", show=str); do("listing empty", listing, "empty", show=str)

# Two hard links to one inode: rename(a, b) does nothing and both names remain.
write_file("h1", b"h"); os.link("h1", "h2")
do("rename hard link onto its sibling", os.rename, "h1", "h2")
st("h1"); st("h2")

# Symlinks are renamed, not followed.
os.symlink("top", "sl")
do("rename symlink", os.rename, "sl", "sl2")
do("readlink sl2", os.readlink, "sl2", show=str); st("top")

# Across filesystems: the kernel refuses before any filesystem sees it.
do("rename file to OUTSIDE", os.rename, "top", os.path.join(outside, "top"))
do("rename dir to OUTSIDE", os.rename, "empty", os.path.join(outside, "empty"))
write_file(os.path.join(outside, "o"), b"o")
do("rename file from OUTSIDE", os.rename, os.path.join(outside, "o"), "o")
do("link file into OUTSIDE", os.link, "top", os.path.join(outside, "top"))
do("link file from OUTSIDE", os.link, os.path.join(outside, "o"), "o")
st("top"); st("o")
