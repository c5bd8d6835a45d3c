package io.txfs.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Field offsets of glibc's {@code struct stat} on x86_64 (144 bytes), read from a direct buffer. */
public final class StatBuf {
    private StatBuf() {}

    public static final int SIZE = 144;

    public static ByteBuffer allocate() {
        return ByteBuffer.allocateDirect(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static long dev(ByteBuffer b) {
        return b.getLong(0);
    }

    public static long ino(ByteBuffer b) {
        return b.getLong(8);
    }

    public static long nlink(ByteBuffer b) {
        return b.getLong(16);
    }

    public static int mode(ByteBuffer b) {
        return b.getInt(24);
    }

    public static int uid(ByteBuffer b) {
        return b.getInt(28);
    }

    public static int gid(ByteBuffer b) {
        return b.getInt(32);
    }

    public static long rdev(ByteBuffer b) {
        return b.getLong(40);
    }

    public static long size(ByteBuffer b) {
        return b.getLong(48);
    }
}
