package io.txfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds a request byte by byte at the offsets of include/uapi/linux/fuse.h (written out as numbers
 * here, independent of the production constants): struct fuse_in_header is len@0 opcode@4
 * unique@8 nodeid@16 uid@24 gid@28 pid@32 total_extlen@36 padding@38, 40 bytes.
 */
final class Req {
    private final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private int end = 40;

    Req(int opcode, long unique, long nodeid) {
        b.putInt(4, opcode);
        b.putLong(8, unique);
        b.putLong(16, nodeid);
        b.putInt(24, 1000);
        b.putInt(28, 1001);
        b.putInt(32, 4242);
    }

    /** Body field at an offset relative to the end of the in header. */
    Req i32(int off, int v) {
        b.putInt(40 + off, v);
        end = Math.max(end, 40 + off + 4);
        return this;
    }

    Req i64(int off, long v) {
        b.putLong(40 + off, v);
        end = Math.max(end, 40 + off + 8);
        return this;
    }

    /** Marks the fixed struct as {@code size} bytes long (zero padding included). */
    Req struct(int size) {
        end = Math.max(end, 40 + size);
        return this;
    }

    Req name(String s) {
        byte[] n = s.getBytes(StandardCharsets.UTF_8);
        b.put(end, n);
        b.put(end + n.length, (byte) 0);
        end += n.length + 1;
        return this;
    }

    Req raw(byte[] data) {
        b.put(end, data);
        end += data.length;
        return this;
    }

    /** Copies the request into the worker's in buffer; returns its length. */
    int into(RequestBuffers w) {
        b.putInt(0, end);
        w.in.clear();
        for (int i = 0; i < end; i++) {
            w.in.put(i, b.get(i));
        }
        return end;
    }
}
