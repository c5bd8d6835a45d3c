package io.txfs.fuse;

import io.txfs.fuse.proto.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One reader thread's buffers, allocated once: the request buffer, the reply buffer, and views of
 * them that READ and WRITE hand to the filesystem without copying.
 */
final class RequestBuffers implements DirectoryFiller {
    /** Room for the in header, fuse_write_in and slack beyond max_write. */
    static final int HEADER_ROOM = 64 * 1024;

    final ByteBuffer in;
    final ByteBuffer out;
    /** {@code out} from the end of the out header: where READ data and other payloads go. */
    final ByteBuffer outPayload;
    /** {@code in} from the start of WRITE data. */
    final ByteBuffer writeData;

    // readdir state
    private boolean plus;
    private int pos;
    private int limit;

    RequestBuffers(int maxWrite) {
        in = ByteBuffer.allocateDirect(maxWrite + HEADER_ROOM).order(ByteOrder.LITTLE_ENDIAN);
        out = ByteBuffer.allocateDirect(maxWrite + HEADER_ROOM).order(ByteOrder.LITTLE_ENDIAN);
        outPayload = out.duplicate().position(Wire.OUT_HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
        writeData =
                in.duplicate().position(Wire.IN_HEADER + Wire.WRITE_IN).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The bytes in [off, end) of the request: a name, exactly as the kernel sent it. */
    byte[] bytes(int off, int end) {
        byte[] b = new byte[end - off];
        in.get(off, b);
        return b;
    }

    void startDir(boolean plus, int size) {
        this.plus = plus;
        this.pos = Wire.OUT_HEADER;
        this.limit = Math.min(out.capacity(), Wire.OUT_HEADER + size);
    }

    int dirEnd() {
        return pos;
    }

    @Override
    public boolean add(byte[] n, long ino, int type, long nextOffset) {
        int end;
        if (plus) {
            // nodeid 0: the kernel shows the name but links no inode, so no lookup is counted
            Attr a = new Attr(ino, 0, 0, 0, 0, 0, 0, 0, 0, type << 12, 0, 0, 0, 0, 0);
            end = Wire.putDirentPlus(out, pos, limit, new Entry(0, 0, a, 0, 0), nextOffset, n);
        } else {
            end = Wire.putDirent(out, pos, limit, ino, nextOffset, type, n);
        }
        if (end < 0) {
            return false;
        }
        pos = end;
        return true;
    }

    @Override
    public boolean addPlus(byte[] name, Entry entry, long nextOffset) {
        if (!plus) {
            throw new IllegalStateException("addPlus during READDIR: use add()");
        }
        int end = Wire.putDirentPlus(out, pos, limit, entry, nextOffset, name);
        if (end < 0) {
            return false;
        }
        pos = end;
        return true;
    }
}
