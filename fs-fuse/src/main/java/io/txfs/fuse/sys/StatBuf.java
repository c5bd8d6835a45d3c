package io.txfs.fuse.sys;

import io.txfs.fuse.Attr;
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

  public static Attr toAttr(ByteBuffer b) {
    long nlink = b.getLong(16);
    return new Attr(b.getLong(8), b.getLong(48), b.getLong(64),
        b.getLong(72), (int) b.getLong(80), b.getLong(88), (int) b.getLong(96), b.getLong(104), (int) b.getLong(112),
        b.getInt(24), (int) Math.min(nlink, 0xffffffffL), b.getInt(28), b.getInt(32), Sys.devToFuse(b.getLong(40)),
        (int) b.getLong(56));
  }
}
