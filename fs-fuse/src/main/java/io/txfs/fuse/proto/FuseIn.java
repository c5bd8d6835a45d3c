package io.txfs.fuse.proto;

import java.nio.ByteBuffer;

/**
 * The fixed request structs of include/uapi/linux/fuse.h that carry more than one field, decoded by
 * name. Each {@code at(in, b)} reads the struct at offset {@code b} of the request; the dispatcher has
 * checked that the request holds {@code SIZE} bytes there. A name that follows a struct starts at
 * {@code b + SIZE}.
 */
public final class FuseIn {
    private FuseIn() {}

    /** fuse_getattr_in: getattr_flags, dummy, fh. */
    public record Getattr(int flags, long fh) {
        public static final int SIZE = Wire.GETATTR_IN;
        private static final int FH_VALID = 1;

        public static Getattr at(ByteBuffer in, int b) {
            return new Getattr(in.getInt(b), in.getLong(b + 8));
        }

        /** The handle the kernel named, or -1 when it named none. */
        public long fhOrNone() {
            return (flags & FH_VALID) != 0 ? fh : -1;
        }
    }

    /** fuse_mknod_in: mode, rdev, umask, padding. */
    public record Mknod(int mode, int rdev, int umask) {
        public static final int SIZE = Wire.MKNOD_IN;

        public static Mknod at(ByteBuffer in, int b) {
            return new Mknod(in.getInt(b), in.getInt(b + 4), in.getInt(b + 8));
        }
    }

    /** fuse_mkdir_in: mode, umask. */
    public record Mkdir(int mode, int umask) {
        public static final int SIZE = Wire.MKDIR_IN;

        public static Mkdir at(ByteBuffer in, int b) {
            return new Mkdir(in.getInt(b), in.getInt(b + 4));
        }
    }

    /** fuse_rename_in (newdir) and fuse_rename2_in (newdir, flags, padding). */
    public record Rename(long newDir, int flags) {
        public static Rename at(ByteBuffer in, int b, boolean withFlags) {
            return new Rename(in.getLong(b), withFlags ? in.getInt(b + 8) : 0);
        }
    }

    /** fuse_open_in: flags, open_flags. */
    public record Open(int flags, int openFlags) {
        public static final int SIZE = Wire.OPEN_IN;

        public static Open at(ByteBuffer in, int b) {
            return new Open(in.getInt(b), in.getInt(b + 4));
        }
    }

    /** fuse_create_in: flags, mode, umask, open_flags. */
    public record Create(int flags, int mode, int umask) {
        public static final int SIZE = Wire.CREATE_IN;

        public static Create at(ByteBuffer in, int b) {
            return new Create(in.getInt(b), in.getInt(b + 4), in.getInt(b + 8));
        }
    }

    /** fuse_read_in (READ, READDIR, READDIRPLUS): fh, offset, size, read_flags, lock_owner, flags. */
    public record Read(long fh, long offset, int size) {
        public static final int SIZE = Wire.READ_IN;

        public static Read at(ByteBuffer in, int b) {
            return new Read(in.getLong(b), in.getLong(b + 8), in.getInt(b + 16));
        }
    }

    /** fuse_write_in: fh, offset, size, write_flags, lock_owner, flags; the data follows. */
    public record Write(long fh, long offset, int size, int writeFlags) {
        public static final int SIZE = Wire.WRITE_IN;

        public static Write at(ByteBuffer in, int b) {
            return new Write(in.getLong(b), in.getLong(b + 8), in.getInt(b + 16), in.getInt(b + 20));
        }
    }

    /** fuse_release_in: fh, flags, release_flags, lock_owner. */
    public record Release(long fh, int flags) {
        public static final int SIZE = Wire.RELEASE_IN;

        public static Release at(ByteBuffer in, int b) {
            return new Release(in.getLong(b), in.getInt(b + 8));
        }
    }

    /** fuse_fsync_in: fh, fsync_flags, padding. */
    public record Fsync(long fh, boolean dataOnly) {
        public static final int SIZE = Wire.FSYNC_IN;
        private static final int FDATASYNC = 1;

        public static Fsync at(ByteBuffer in, int b) {
            return new Fsync(in.getLong(b), (in.getInt(b + 8) & FDATASYNC) != 0);
        }
    }

    /** fuse_flush_in: fh, unused, padding, lock_owner. */
    public record Flush(long fh, long lockOwner) {
        public static final int SIZE = Wire.FLUSH_IN;

        public static Flush at(ByteBuffer in, int b) {
            return new Flush(in.getLong(b), in.getLong(b + 16));
        }
    }

    /** fuse_setxattr_in: size, flags (and with FUSE_SETXATTR_EXT: setxattr_flags, padding); name, value follow. */
    public record Setxattr(int valueSize, int flags) {
        public static final int SIZE_EXT = 16;

        public static Setxattr at(ByteBuffer in, int b) {
            return new Setxattr(in.getInt(b), in.getInt(b + 4));
        }
    }

    /** fuse_fallocate_in: fh, offset, length, mode, padding. */
    public record Fallocate(long fh, long offset, long length, int mode) {
        public static final int SIZE = Wire.FALLOCATE_IN;

        public static Fallocate at(ByteBuffer in, int b) {
            return new Fallocate(in.getLong(b), in.getLong(b + 8), in.getLong(b + 16), in.getInt(b + 24));
        }
    }

    /** fuse_lseek_in: fh, offset, whence, padding. */
    public record Lseek(long fh, long offset, int whence) {
        public static final int SIZE = Wire.LSEEK_IN;

        public static Lseek at(ByteBuffer in, int b) {
            return new Lseek(in.getLong(b), in.getLong(b + 8), in.getInt(b + 16));
        }
    }

    /** fuse_forget_one (in BATCH_FORGET): nodeid, nlookup. */
    public record ForgetOne(long node, long lookups) {
        public static final int SIZE = Wire.FORGET_ONE;

        public static ForgetOne at(ByteBuffer in, int b) {
            return new ForgetOne(in.getLong(b), in.getLong(b + 8));
        }
    }
}
