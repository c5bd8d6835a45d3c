# Names: the 255-byte component limit, PATH_MAX, and names with unusual bytes.
# expect: mkdir 256-byte name: ENAMETOOLONG
# expect: create 256-byte name: ENAMETOOLONG
# expect: mkdir 255-byte name: OK
from fsx import *

n255 = "n" * 255
n256 = "n" * 256
do("mkdir 255-byte name", os.mkdir, n255)
do("mkdir 256-byte name", os.mkdir, n256)
do("create 255-byte name", write_file, "f" * 255, b"ok")
do("create 256-byte name", os.open, "f" * 256, os.O_WRONLY | os.O_CREAT, 0o644)
do("open 256-byte name", os.open, "f" * 256, os.O_RDONLY)
do("stat 256-byte name", os.lstat, n256)
do("rmdir 256-byte name", os.rmdir, n256)
do("unlink 256-byte name", os.unlink, n256)
do("rename to 256-byte name", os.rename, "f" * 255, "g" * 256)
do("link to 256-byte name", os.link, "f" * 255, "g" * 256)
do("symlink named 256 bytes", os.symlink, "target", "s" * 256)
do("mknod fifo 256 bytes", os.mkfifo, "p" * 256)
do("setxattr on 256-byte name", os.setxattr, n256, "user.a", b"v")
# 256 bytes of a multi-byte character: 128 x U+00E9 is 256 bytes of UTF-8.
do("mkdir 128 x e-acute (256 bytes)", os.mkdir, "\u00e9" * 128)
do("mkdir 127 x e-acute (254 bytes)", os.mkdir, "\u00e9" * 127)
do("rename 255-byte dir to 256-byte dir", os.rename, n255, n256)
do("stat 255-byte dir", os.lstat, n255, show=lambda s: kind(s.st_mode))

# A path longer than PATH_MAX (4096) made of short, existing-looking components.
long_path = "/".join(["d" * 200] * 21)
do("stat path over PATH_MAX", os.lstat, long_path)
do("mkdir path over PATH_MAX", os.mkdir, long_path)
# A deep path under PATH_MAX made of real directories works.
p = "deep"
os.mkdir(p)
for i in range(15):
    p += "/" + "d" * 200
    os.mkdir(p)
do(f"create file at depth 16 ({len(p) + 2} bytes)", write_file, p + "/x", b"deep")
do("read it back", read_file, p + "/x", show=repr)

odd = [b"with space", b"new\nline", b"tab\there", b"-dash", b"\xff\xfe not utf-8", b"\xe2\x98\x83 snowman",
       b"..dots", b"...", b"a:b", b"back\\slash", b"quote'\"", b"*?[glob]"]
for name in odd:
    do(f"create {name!r}", write_file, name, name)
    do(f"read {name!r}", read_file, name, show=repr)
do("mkdir empty name", os.mkdir, "")
do("open empty name", os.open, "", os.O_RDONLY)
def short(name):
    return repr(name) if len(name) <= 40 else f"{name[:8]!r}...({len(name)} bytes)"
do("listing bytes", lambda: " ".join(short(n) for n in sorted(os.listdir(b"."))), show=str)
for name in odd:
    do(f"unlink {name!r}", os.unlink, name)
