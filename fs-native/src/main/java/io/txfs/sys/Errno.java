package io.txfs.sys;

/**
 * The Linux errno values a filesystem commonly answers with (asm-generic/errno-base.h, errno.h): what
 * the engine's typed exceptions carry, and what the FUSE boundary answers. ENOTSUP is glibc's other
 * name of EOPNOTSUPP (the same number; {@link #nameOf} says EOPNOTSUPP).
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    EINTR(4),
    EIO(5),
    ENXIO(6),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    EXDEV(18),
    ENODEV(19),
    ENOTDIR(20),
    EISDIR(21),
    EINVAL(22),
    ENFILE(23),
    EMFILE(24),
    EFBIG(27),
    ENOSPC(28),
    ESPIPE(29),
    EROFS(30),
    EMLINK(31),
    ERANGE(34),
    ENAMETOOLONG(36),
    ENOSYS(38),
    ENOTEMPTY(39),
    ELOOP(40),
    ENODATA(61),
    EPROTO(71),
    EOVERFLOW(75),
    EOPNOTSUPP(95),
    ENOTSUP(95),
    ENOTCONN(107),
    ESTALE(116),
    EDQUOT(122);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The constant for a known code (the first declared for a shared number), or null. */
    public static Errno of(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /** The enum name for a known code, else "errno N". */
    public static String nameOf(int code) {
        Errno known = of(code);
        return known != null ? known.name() : "errno " + code;
    }
}
