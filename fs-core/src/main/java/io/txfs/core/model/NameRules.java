package io.txfs.core.model;

import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What a name in a directory may be: the checks every operation that takes or makes a name applies. */
public final class NameRules {
    /** The control directory's name, which the root never holds. */
    public static final byte[] RESERVED = ".txfs".getBytes(StandardCharsets.US_ASCII);

    public static final byte[] DOT = {'.'};
    public static final byte[] DOTDOT = {'.', '.'};

    private NameRules() {}

    public static void checkName(byte[] name) {
        if (name.length == 0) throw new FsException(Errno.ENOENT, "empty name");
        if (name.length > EngineConstants.NAME_MAX)
            throw new FsException(Errno.ENAMETOOLONG, "name longer than 255 bytes");
        for (byte x : name) {
            if (x == '/' || x == 0) throw new FsException(Errno.EINVAL, "name contains '/' or NUL");
        }
    }

    /** Checks a name that is about to be created or changed in directory parent. */
    public static void checkNewName(long parent, byte[] name) {
        checkName(name);
        if (Arrays.equals(name, DOT) || Arrays.equals(name, DOTDOT)) {
            throw new FsException(Errno.EEXIST, "'.' and '..' always exist");
        }
        if (parent == EngineConstants.ROOT && Arrays.equals(name, RESERVED)) {
            throw new FsException(Errno.EPERM, ".txfs is reserved at the root");
        }
    }

    public static boolean isDotOrDotDot(byte[] name) {
        return Arrays.equals(name, DOT) || Arrays.equals(name, DOTDOT);
    }

    /** A name for messages and deltas (names that are not UTF-8 show replacement characters). */
    public static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
