package io.txfs.fuse.proto;

import io.txfs.fuse.Attr;
import io.txfs.fuse.AttrReply;
import io.txfs.fuse.Entry;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.StatFs;
import java.nio.ByteBuffer;

/**
 * Struct sizes, field offsets and encoders of the FUSE kernel ABI (protocol 7.40), on little-endian
 * buffers with absolute indexes. Offsets were checked against include/uapi/linux/fuse.h with
 * offsetof() (see the codec tests, which pin every one of them).
 */
public final class Wire {
    private Wire() {}

    public static final int KERNEL_MAJOR = 7;
    /** The highest minor whose structs this code knows. */
    public static final int KERNEL_MINOR = 40;

    // struct fuse_in_header (40)
    public static final int IN_HEADER = 40;
    public static final int IN_LEN = 0;
    public static final int IN_OPCODE = 4;
    public static final int IN_UNIQUE = 8;
    public static final int IN_NODEID = 16;
    public static final int IN_UID = 24;
    public static final int IN_GID = 28;
    public static final int IN_PID = 32;

    // struct fuse_out_header (16)
    public static final int OUT_HEADER = 16;

    public static final int ATTR_SIZE = 88;
    public static final int ENTRY_OUT_SIZE = 128;
    public static final int ATTR_OUT_SIZE = 104;
    public static final int OPEN_OUT_SIZE = 16;
    public static final int INIT_IN_SIZE = 64;
    public static final int INIT_OUT_SIZE = 64;
    public static final int COMPAT_22_INIT_OUT_SIZE = 24;
    public static final int STATFS_OUT_SIZE = 80;
    public static final int WRITE_OUT_SIZE = 8;
    public static final int GETXATTR_OUT_SIZE = 8;
    public static final int LSEEK_OUT_SIZE = 8;
    public static final int DIRENT_HEADER = 24;
    public static final int DIRENTPLUS_HEADER = 152;

    // request struct sizes (what follows the in header)
    public static final int GETATTR_IN = 16;
    public static final int SETATTR_IN = 88;
    public static final int MKNOD_IN = 16;
    public static final int MKDIR_IN = 8;
    public static final int RENAME_IN = 8;
    public static final int RENAME2_IN = 16;
    public static final int LINK_IN = 8;
    public static final int OPEN_IN = 8;
    public static final int CREATE_IN = 16;
    public static final int READ_IN = 40;
    public static final int WRITE_IN = 40;
    public static final int RELEASE_IN = 24;
    public static final int FLUSH_IN = 24;
    public static final int FSYNC_IN = 16;
    public static final int SETXATTR_IN_COMPAT = 8;
    public static final int GETXATTR_IN = 8;
    public static final int ACCESS_IN = 8;
    public static final int FALLOCATE_IN = 32;
    public static final int LSEEK_IN = 24;
    public static final int INTERRUPT_IN = 8;
    public static final int FORGET_IN = 8;
    public static final int BATCH_FORGET_IN = 8;
    public static final int FORGET_ONE = 16;

    // notify codes (carried in the out header's error field, unique 0)
    public static final int NOTIFY_INVAL_INODE = 2;
    public static final int NOTIFY_INVAL_ENTRY = 3;
    public static final int NOTIFY_DELETE = 6;
    /** Linux 6.16 (7.44): every dentry cached before it is invalid at its next revalidation. */
    public static final int NOTIFY_INC_EPOCH = 8;

    public static void putOutHeader(ByteBuffer b, int len, int error, long unique) {
        b.putInt(0, len);
        b.putInt(4, error);
        b.putLong(8, unique);
    }

    /** struct fuse_attr, 88 bytes at {@code off}. */
    public static void putAttr(ByteBuffer b, int off, Attr a) {
        b.putLong(off, a.ino());
        b.putLong(off + 8, a.size());
        b.putLong(off + 16, a.blocks());
        b.putLong(off + 24, a.atimeSec());
        b.putLong(off + 32, a.mtimeSec());
        b.putLong(off + 40, a.ctimeSec());
        b.putInt(off + 48, a.atimeNsec());
        b.putInt(off + 52, a.mtimeNsec());
        b.putInt(off + 56, a.ctimeNsec());
        b.putInt(off + 60, a.mode());
        b.putInt(off + 64, a.nlink());
        b.putInt(off + 68, a.uid());
        b.putInt(off + 72, a.gid());
        b.putInt(off + 76, a.rdev());
        b.putInt(off + 80, a.blksize());
        b.putInt(off + 84, 0);
    }

    private static void zero(ByteBuffer b, int off, int len) {
        int end = off + len;
        int i = off;
        for (; i + 8 <= end; i += 8) {
            b.putLong(i, 0);
        }
        for (; i < end; i++) {
            b.put(i, (byte) 0);
        }
    }

    /** struct fuse_entry_out, 128 bytes. */
    public static int putEntryOut(ByteBuffer b, int off, Entry e) {
        b.putLong(off, e.nodeId());
        b.putLong(off + 8, e.generation());
        b.putLong(off + 16, e.entryValidNanos() / 1_000_000_000L);
        b.putLong(off + 24, e.attrValidNanos() / 1_000_000_000L);
        b.putInt(off + 32, (int) (e.entryValidNanos() % 1_000_000_000L));
        b.putInt(off + 36, (int) (e.attrValidNanos() % 1_000_000_000L));
        if (e.attr() == null) {
            zero(b, off + 40, ATTR_SIZE);
        } else {
            putAttr(b, off + 40, e.attr());
        }
        return ENTRY_OUT_SIZE;
    }

    /** struct fuse_attr_out, 104 bytes. */
    public static int putAttrOut(ByteBuffer b, int off, AttrReply r) {
        b.putLong(off, r.attrValidNanos() / 1_000_000_000L);
        b.putInt(off + 8, (int) (r.attrValidNanos() % 1_000_000_000L));
        b.putInt(off + 12, 0);
        putAttr(b, off + 16, r.attr());
        return ATTR_OUT_SIZE;
    }

    /** struct fuse_open_out, 16 bytes (backing_id since 7.40). */
    public static int putOpenOut(ByteBuffer b, int off, OpenResult o) {
        b.putLong(off, o.fh());
        b.putInt(off + 8, o.openFlags());
        b.putInt(off + 12, o.backingId());
        return OPEN_OUT_SIZE;
    }

    /** struct fuse_statfs_out (= fuse_kstatfs), 80 bytes. */
    public static int putStatfsOut(ByteBuffer b, int off, StatFs s) {
        b.putLong(off, s.blocks());
        b.putLong(off + 8, s.bfree());
        b.putLong(off + 16, s.bavail());
        b.putLong(off + 24, s.files());
        b.putLong(off + 32, s.ffree());
        b.putInt(off + 40, s.bsize());
        b.putInt(off + 44, s.namelen());
        b.putInt(off + 48, s.frsize());
        zero(b, off + 52, 28);
        return STATFS_OUT_SIZE;
    }

    /** A u32 followed by u32 padding: fuse_write_out, fuse_getxattr_out. */
    public static int putSizeOut(ByteBuffer b, int off, int size) {
        b.putInt(off, size);
        b.putInt(off + 4, 0);
        return 8;
    }

    /** fuse_lseek_out. */
    public static int putLseekOut(ByteBuffer b, int off, long offset) {
        b.putLong(off, offset);
        return LSEEK_OUT_SIZE;
    }

    /** struct fuse_init_out, {@code size} bytes (64, or 24 for minors below 23). */
    public static int putInitOut(
            ByteBuffer b,
            int off,
            int size,
            int major,
            int minor,
            int maxReadahead,
            long flags,
            int maxBackground,
            int congestionThreshold,
            int maxWrite,
            int timeGran,
            int maxPages,
            int maxStackDepth) {
        zero(b, off, size);
        b.putInt(off, major);
        b.putInt(off + 4, minor);
        if (size >= COMPAT_22_INIT_OUT_SIZE) {
            b.putInt(off + 8, maxReadahead);
            b.putInt(off + 12, (int) flags);
            b.putShort(off + 16, (short) maxBackground);
            b.putShort(off + 18, (short) congestionThreshold);
            b.putInt(off + 20, maxWrite);
        }
        if (size >= INIT_OUT_SIZE) {
            b.putInt(off + 24, timeGran);
            b.putShort(off + 28, (short) maxPages);
            b.putShort(off + 30, (short) 0);
            b.putInt(off + 32, (int) (flags >>> 32));
            b.putInt(off + 36, maxStackDepth);
        }
        return size;
    }

    public static int align8(int n) {
        return (n + 7) & ~7;
    }

    /**
     * struct fuse_dirent + name, padded with zeros to 8 bytes. Returns the new end offset, or -1 when
     * it would pass {@code limit} (nothing written).
     */
    public static int putDirent(ByteBuffer b, int off, int limit, long ino, long nextOffset, int type, byte[] name) {
        int rec = align8(DIRENT_HEADER + name.length);
        if (off + rec > limit) {
            return -1;
        }
        b.putLong(off, ino);
        b.putLong(off + 8, nextOffset);
        b.putInt(off + 16, name.length);
        b.putInt(off + 20, type);
        putNamePadded(b, off + DIRENT_HEADER, name, rec - DIRENT_HEADER);
        return off + rec;
    }

    /** struct fuse_direntplus (entry_out + dirent) + name, padded to 8. Returns end or -1. */
    public static int putDirentPlus(ByteBuffer b, int off, int limit, Entry e, long nextOffset, byte[] name) {
        int rec = align8(DIRENTPLUS_HEADER + name.length);
        if (off + rec > limit) {
            return -1;
        }
        putEntryOut(b, off, e);
        int d = off + ENTRY_OUT_SIZE;
        b.putLong(d, e.attr() == null ? 0 : e.attr().ino());
        b.putLong(d + 8, nextOffset);
        b.putInt(d + 16, name.length);
        b.putInt(d + 20, e.attr() == null ? 0 : (e.attr().mode() >>> 12) & 0xf);
        putNamePadded(b, off + DIRENTPLUS_HEADER, name, rec - DIRENTPLUS_HEADER);
        return off + rec;
    }

    private static void putNamePadded(ByteBuffer b, int off, byte[] name, int room) {
        for (int i = 0; i < name.length; i++) {
            b.put(off + i, name[i]);
        }
        for (int i = name.length; i < room; i++) {
            b.put(off + i, (byte) 0);
        }
    }

    /** Index of the NUL ending the string that starts at {@code off}, or -1 before {@code end}. */
    public static int nul(ByteBuffer b, int off, int end) {
        for (int i = off; i < end; i++) {
            if (b.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }
}
