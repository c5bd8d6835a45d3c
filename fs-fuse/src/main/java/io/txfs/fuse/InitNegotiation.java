package io.txfs.fuse;

import io.txfs.fuse.proto.InitFlags;
import io.txfs.fuse.proto.Wire;
import java.nio.ByteBuffer;

/**
 * What txfs answers to the kernel's FUSE_INIT: the protocol minor, the flags both sides want, and the
 * sizes and limits that follow from them (docs/fuse-protocol.md).
 */
final class InitNegotiation {
    static final int MAX_WRITE = 1 << 20;
    static final int MAX_PAGES = MAX_WRITE / 4096;
    private static final int MAX_BACKGROUND = 64;
    private static final int CONGESTION_THRESHOLD = 48;

    private InitNegotiation() {}

    /** The negotiated state, from the kernel's offer and the flags the dispatcher wants. */
    static InitInfo reply(
            int major,
            int kminor,
            long flags,
            int maxReadahead,
            long wanted,
            BackingFiles backingFiles,
            boolean defaultPermissions) {
        int minor = Math.min(kminor, Wire.KERNEL_MINOR);
        long reply = flags & wanted;
        int maxStackDepth = 0;
        if ((reply & InitFlags.PASSTHROUGH) != 0) {
            maxStackDepth = 1;
        }
        if ((reply >>> 32) != 0) {
            reply |= InitFlags.INIT_EXT;
        }
        int maxPages = (reply & InitFlags.MAX_PAGES) != 0 ? MAX_PAGES : 32;
        int maxWrite = (reply & InitFlags.MAX_PAGES) != 0 ? MAX_WRITE : 32 * 4096;
        return new InitInfo(
                major,
                kminor,
                minor,
                flags,
                reply,
                maxWrite,
                maxReadahead,
                maxPages,
                MAX_BACKGROUND,
                CONGESTION_THRESHOLD,
                maxStackDepth,
                backingFiles,
                defaultPermissions);
    }

    /** The INIT reply body of {@code size} bytes (the 7.22 layout for an older kernel) at {@code at}. */
    static void write(ByteBuffer out, int at, int size, InitInfo n) {
        Wire.putInitOut(
                out,
                at,
                size,
                Wire.KERNEL_MAJOR,
                n.minor(),
                n.maxReadahead(),
                n.flags(),
                n.maxBackground(),
                n.congestionThreshold(),
                n.maxWrite(),
                1,
                n.maxPages(),
                n.maxStackDepth());
    }
}
