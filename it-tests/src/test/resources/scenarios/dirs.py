# Directories: mkdir/rmdir and their errors, modes under several umasks, setgid inheritance.
# expect: mkdir a again: EEXIST
# expect: rmdir full: ENOTEMPTY
# expect: mkdir missing/x: ENOENT
# expect: mkdir f/x: ENOTDIR
# expect: rmdir f: ENOTDIR
# expect: rmdir missing: ENOENT
# expect: lstat u000: OK dir 0777 nlink=2 uid=0 gid=0 size=4096
from fsx import *

os.umask(0o022)
do("mkdir a", os.mkdir, "a")
st("a")
do("mkdir a again", os.mkdir, "a")
do("mkdir a/ (trailing slash on existing)", os.mkdir, "a/")
do("mkdir missing/x", os.mkdir, "missing/x")
write_file("f", b"x")
do("mkdir f/x", os.mkdir, "f/x")
do("mkdir f (name of a file)", os.mkdir, "f")
do("rmdir f", os.rmdir, "f")
do("rmdir missing", os.rmdir, "missing")
do("rmdir a/.", os.rmdir, "a/.")
do("rmdir a/..", os.rmdir, "a/..")
do("mkdir full", os.mkdir, "full")
do("mkdir full/sub", os.mkdir, "full/sub")
st("full")
do("rmdir full", os.rmdir, "full")
do("rmdir full/sub", os.rmdir, "full/sub")
st("full")
do("rmdir full", os.rmdir, "full")
st("full")
do("mkdir a/b/", os.mkdir, "a/b/")
st("a/b")
do("rmdir a/b/", os.rmdir, "a/b/")

for mask in (0o000, 0o022, 0o077, 0o777):
    os.umask(mask)
    name = f"u{mask:03o}"
    do(f"mkdir {name} 0777", os.mkdir, name, 0o777)
    st(name)
os.umask(0o022)
do("mkdir odd 01755", os.mkdir, "odd", 0o1755)
st("odd")

do("mkdir sgid", os.mkdir, "sgid")
do("chown sgid 0:65534", os.chown, "sgid", 0, 65534)
do("chmod sgid 02775", os.chmod, "sgid", 0o2775)
do("mkdir sgid/child", os.mkdir, "sgid/child")
st("sgid/child")
write_file("sgid/file", b"")
st("sgid/file")

# A directory descriptor keeps working after its directory moves; a removed directory stays empty.
os.mkdir("moving"); write_file("moving/inside", b"in")
dfd = os.open("moving", os.O_RDONLY | os.O_DIRECTORY)
do("rename moving -> moved", os.rename, "moving", "moved")
do("openat via the old descriptor", lambda: os.read(os.open("inside", os.O_RDONLY, dir_fd=dfd), 10), show=repr)
do("mkdirat via the old descriptor", os.mkdir, "made-via-fd", dir_fd=dfd)
st("moved/made-via-fd")
os.close(dfd)
os.mkdir("gone")
here = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
os.chdir("gone")
do("rmdir the cwd by path", os.rmdir, "../gone")
do("listdir of removed cwd", os.listdir, ".", show=str)
do("create in removed cwd", os.open, "x", os.O_WRONLY | os.O_CREAT, 0o644)
do("mkdir in removed cwd", os.mkdir, "x")
do("lstat . of removed cwd", lambda: describe(os.lstat("."), size=False), show=str)
os.fchdir(here)
os.close(here)

st(".", label="lstat . after all")
do("listing", listing, ".", show=str)
