package io.txfs.fuse.passthrough;

import io.txfs.fuse.Attr;
import io.txfs.fuse.StatFs;
import io.txfs.sys.Sys;
import java.nio.ByteBuffer;

/** glibc's structs as the FUSE replies carry them, and the other way for utimensat's times (x86_64). */
final class StatConversions {
    private StatConversions() {}

    /** The FUSE attributes of a glibc {@code struct stat} (x86_64 layout, see StatBuf). */
    static Attr attrOfStat(ByteBuffer b) {
        long nlink = b.getLong(16);
        return new Attr(
                b.getLong(8),
                b.getLong(48),
                b.getLong(64),
                b.getLong(72),
                (int) b.getLong(80),
                b.getLong(88),
                (int) b.getLong(96),
                b.getLong(104),
                (int) b.getLong(112),
                b.getInt(24),
                (int) Math.min(nlink, 0xffffffffL),
                b.getInt(28),
                b.getInt(32),
                Sys.devToFuse(b.getLong(40)),
                (int) b.getLong(56));
    }

    /** A glibc {@code struct statfs}: bsize@8 blocks@16 bfree@24 bavail@32 files@40 ffree@48 namelen@64 frsize@72. */
    static StatFs statFsOf(ByteBuffer b) {
        return new StatFs(
                b.getLong(16),
                b.getLong(24),
                b.getLong(32),
                b.getLong(40),
                b.getLong(48),
                (int) b.getLong(8),
                (int) b.getLong(64),
                (int) b.getLong(72));
    }

    /** One {@code struct timespec} of utimensat's pair: a time, UTIME_NOW, or UTIME_OMIT when not set. */
    static void putTime(ByteBuffer ts, int off, boolean set, boolean now, long sec, int nsec) {
        ts.putLong(off, set && !now ? sec : 0);
        ts.putLong(off + 8, !set ? Sys.UTIME_OMIT : now ? Sys.UTIME_NOW : nsec);
    }
}
