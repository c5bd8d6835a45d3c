package io.txfs.fuse;

import java.nio.ByteBuffer;

/**
 * A SETATTR request: {@code valid} says which fields to change (FATTR_* bits). Times with the
 * *_NOW bit mean "now"; fh is meaningful only when {@link #hasFh()}.
 */
public record SetAttr(
        int valid,
        long fh,
        long size,
        long lockOwner,
        long atimeSec,
        int atimeNsec,
        long mtimeSec,
        int mtimeNsec,
        long ctimeSec,
        int ctimeNsec,
        int mode,
        int uid,
        int gid) {
    public static final int FATTR_MODE = 1;
    public static final int FATTR_UID = 1 << 1;
    public static final int FATTR_GID = 1 << 2;
    public static final int FATTR_SIZE = 1 << 3;
    public static final int FATTR_ATIME = 1 << 4;
    public static final int FATTR_MTIME = 1 << 5;
    public static final int FATTR_FH = 1 << 6;
    public static final int FATTR_ATIME_NOW = 1 << 7;
    public static final int FATTR_MTIME_NOW = 1 << 8;
    public static final int FATTR_LOCKOWNER = 1 << 9;
    public static final int FATTR_CTIME = 1 << 10;
    public static final int FATTR_KILL_SUIDGID = 1 << 11;

    /** fuse_setattr_in at offset {@code b}: valid, padding, fh, size, lock_owner, atime, mtime, ctime,
     * atimensec, mtimensec, ctimensec, mode, unused, uid, gid, unused. */
    public static SetAttr at(ByteBuffer in, int b) {
        return new SetAttr(
                in.getInt(b),
                in.getLong(b + 8),
                in.getLong(b + 16),
                in.getLong(b + 24),
                in.getLong(b + 32),
                in.getInt(b + 56),
                in.getLong(b + 40),
                in.getInt(b + 60),
                in.getLong(b + 48),
                in.getInt(b + 64),
                in.getInt(b + 68),
                in.getInt(b + 76),
                in.getInt(b + 80));
    }

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }

    public boolean hasMode() {
        return has(FATTR_MODE);
    }

    public boolean hasUid() {
        return has(FATTR_UID);
    }

    public boolean hasGid() {
        return has(FATTR_GID);
    }

    public boolean hasSize() {
        return has(FATTR_SIZE);
    }

    public boolean hasAtime() {
        return has(FATTR_ATIME);
    }

    public boolean hasMtime() {
        return has(FATTR_MTIME);
    }

    public boolean hasFh() {
        return has(FATTR_FH);
    }

    public boolean atimeNow() {
        return has(FATTR_ATIME_NOW);
    }

    public boolean mtimeNow() {
        return has(FATTR_MTIME_NOW);
    }
}
