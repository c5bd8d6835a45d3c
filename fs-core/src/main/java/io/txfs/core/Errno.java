package io.txfs.core;

/** The errno a local Linux filesystem would return; the FUSE layer maps it at its boundary. */
public enum Errno {
    EPERM(1), ENOENT(2), EIO(5), E2BIG(7), EBADF(9), EACCES(13), EBUSY(16), EEXIST(17), EXDEV(18),
    ENOTDIR(20), EISDIR(21), EINVAL(22), EFBIG(27), ENOSPC(28), EROFS(30), EMLINK(31), ERANGE(34),
    ENAMETOOLONG(36), ENOTEMPTY(39), ELOOP(40), ENODATA(61), ENOTSUP(95), ESTALE(116);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
