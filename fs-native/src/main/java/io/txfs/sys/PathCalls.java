package io.txfs.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/** Helpers over {@link LibC} calls that take a NUL-terminated raw path. */
public final class PathCalls {
    private PathCalls() {}

    /** The exact target bytes of the symlink at cPath (NUL-terminated). */
    public static byte[] readLink(byte[] cPath) throws IOException {
        byte[] buf = new byte[256];
        while (true) {
            long n = LibC.INSTANCE.readlink(cPath, buf, buf.length);
            if (n < 0) {
                throw error("readlink", cPath);
            }
            if (n < buf.length) {
                return Arrays.copyOf(buf, (int) n);
            }
            buf = new byte[buf.length * 4];
        }
    }

    /** The failure of {@code call} on cPath, from the errno it left: ENOENT as NoSuchFileException. */
    public static IOException error(String call, byte[] cPath) {
        int errno = LibC.errno();
        String path = new String(cPath, 0, Math.max(0, cPath.length - 1), StandardCharsets.UTF_8);
        if (errno == Errno.ENOENT.code()) {
            return new NoSuchFileException(path);
        }
        return new IOException(call + "(" + path + ") failed: errno " + errno);
    }
}
