# Extended attributes (user.*): set/get/list/remove, XATTR_CREATE / XATTR_REPLACE, sizes and errors.
# expect: setxattr CREATE existing: EEXIST
# expect: setxattr REPLACE missing: ENODATA
# expect: getxattr missing: ENODATA
# expect: removexattr missing: ENODATA
# expect: getxattr size 1 for 5-byte value: ERANGE
from fsx import *
import ctypes, ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
def raw_get(path, name, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    n = libc.getxattr(path.encode(), name.encode(), buf if size else None, size)
    if n < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
    return n if size == 0 else buf.raw[:n]
def raw_list(path, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    n = libc.listxattr(path.encode(), buf if size else None, size)
    if n < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
    return n

write_file("f", b"data")
os.mkdir("d")
os.symlink("f", "s")
do("listxattr empty", lambda: sorted(os.listxattr("f")), show=str)
do("setxattr user.a", os.setxattr, "f", "user.a", b"hello")
do("getxattr user.a", os.getxattr, "f", "user.a", show=repr)
do("setxattr CREATE existing", os.setxattr, "f", "user.a", b"x", os.XATTR_CREATE)
do("setxattr CREATE new", os.setxattr, "f", "user.b", b"bee", os.XATTR_CREATE)
do("setxattr REPLACE missing", os.setxattr, "f", "user.c", b"x", os.XATTR_REPLACE)
do("setxattr REPLACE existing", os.setxattr, "f", "user.a", b"replaced", os.XATTR_REPLACE)
do("getxattr user.a", os.getxattr, "f", "user.a", show=repr)
do("setxattr both flags", os.setxattr, "f", "user.a", b"x", os.XATTR_CREATE | os.XATTR_REPLACE)
do("setxattr empty value", os.setxattr, "f", "user.empty", b"")
do("getxattr empty value", os.getxattr, "f", "user.empty", show=repr)
do("setxattr binary value", os.setxattr, "f", "user.bin", bytes(range(256)))
do("getxattr binary value", lambda: os.getxattr("f", "user.bin") == bytes(range(256)), show=str)
do("getxattr missing", os.getxattr, "f", "user.missing")
do("getxattr size 0 reports length", raw_get, "f", "user.b", 0, show=str)
do("getxattr size 1 for 5-byte value", raw_get, "f", "user.a", 1)
do("getxattr exact size", raw_get, "f", "user.a", 8, show=repr)
do("listxattr size 0 reports length", raw_list, "f", 0, show=str)
do("listxattr size 1", raw_list, "f", 1)
do("listxattr", lambda: sorted(os.listxattr("f")), show=str)
do("removexattr user.b", os.removexattr, "f", "user.b")
do("removexattr missing", os.removexattr, "f", "user.b")
do("listxattr after remove", lambda: sorted(os.listxattr("f")), show=str)
do("setxattr 4000-byte value", os.setxattr, "f", "user.big", b"v" * 4000)
do("getxattr 4000-byte value", lambda: len(os.getxattr("f", "user.big")), show=str)
do("setxattr 65536-byte value", os.setxattr, "f", "user.huge", b"v" * 65536)
do("setxattr 65537-byte value", os.setxattr, "f", "user.huge", b"v" * 65537)
do("setxattr 255-byte name", os.setxattr, "f", "user." + "n" * 250, b"v")
do("setxattr 256-byte name", os.setxattr, "f", "user." + "n" * 251, b"v")
do("setxattr empty name", os.setxattr, "f", "", b"v")
do("setxattr no namespace", os.setxattr, "f", "plain", b"v")
do("setxattr unknown namespace", os.setxattr, "f", "bogus.x", b"v")
do("setxattr on dir", os.setxattr, "d", "user.dir", b"dv")
do("getxattr on dir", os.getxattr, "d", "user.dir", show=repr)
do("setxattr via symlink (follows)", os.setxattr, "s", "user.via", b"followed")
do("getxattr on target", os.getxattr, "f", "user.via", show=repr)
do("lsetxattr user.* on symlink", os.setxattr, "s", "user.x", b"v", follow_symlinks=False)
do("llistxattr symlink", lambda: sorted(os.listxattr("s", follow_symlinks=False)), show=str)
do("getxattr on missing file", os.getxattr, "missing", "user.a")
fd = os.open("f", os.O_RDONLY)
do("fsetxattr", os.setxattr, fd, "user.fd", b"byfd")
do("fgetxattr", os.getxattr, fd, "user.fd", show=repr)
os.close(fd)
os.link("f", "hard")
do("xattr visible on hard link", os.getxattr, "hard", "user.fd", show=repr)
do("trusted.* as root", os.setxattr, "f", "trusted.t", b"root only")
do("get trusted.*", os.getxattr, "f", "trusted.t", show=repr)
do("rename keeps xattrs", lambda: (os.rename("f", "g"), os.getxattr("g", "user.a"))[1], show=repr)
do("final listxattr", lambda: sorted(os.listxattr("g")), show=str)
