package io.txfs.sys;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Every extended attribute of a file, in every namespace, without following a symlink. */
public final class Xattrs {
    /** One attribute: its full name ("user.x", "trusted.y") and value, as raw bytes. */
    public record Xattr(byte[] name, byte[] value) {}

    private Xattrs() {}

    /**
     * The attributes of the file at cPath (NUL-terminated), in the order the filesystem lists them;
     * none where the filesystem has no xattr support (ENOTSUP). An attribute removed between the
     * listing and its read is left out.
     */
    public static List<Xattr> list(byte[] cPath) throws IOException {
        LibC libc = LibC.INSTANCE;
        List<Xattr> out = new ArrayList<>();
        byte[] names = new byte[0];
        long n;
        while (true) {
            n = libc.llistxattr(cPath, names, names.length);
            if (n >= 0 && (names.length > 0 || n == 0)) {
                break;
            }
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == Errno.ENOTSUP.code()) {
                    return out;
                }
                if (errno != Errno.ERANGE.code()) {
                    throw PathCalls.error("llistxattr", cPath);
                }
                names = new byte[Math.max(64, names.length * 2)];
            } else {
                names = new byte[(int) n];
            }
        }
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (names[i] == 0) {
                byte[] name = Arrays.copyOfRange(names, start, i);
                byte[] value = read(cPath, name);
                if (value != null) {
                    out.add(new Xattr(name, value));
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** The value of one attribute, or null when it is gone (ENODATA). */
    private static byte[] read(byte[] cPath, byte[] name) throws IOException {
        LibC libc = LibC.INSTANCE;
        byte[] cName = RawPaths.cString(name);
        while (true) {
            long size = libc.lgetxattr(cPath, cName, new byte[0], 0);
            if (size < 0) {
                if (LibC.errno() == Errno.ENODATA.code()) {
                    return null;
                }
                throw PathCalls.error("lgetxattr", cPath);
            }
            byte[] value = new byte[(int) size];
            long got = libc.lgetxattr(cPath, cName, value, value.length);
            if (got >= 0) {
                return Arrays.copyOf(value, (int) got);
            }
            if (LibC.errno() != Errno.ERANGE.code()) {
                throw PathCalls.error("lgetxattr", cPath);
            }
        }
    }
}
