package io.txfs.core.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The delta id of one log version: the id of the canonical delta (sha1 object format, no mtimes) from
 * published version {@code from} to that version, or why it could not be computed ({@code problem},
 * with {@code id} null). Stored in the {@code delta_id} column family (docs/storage-format.md).
 */
public record DeltaIdRecord(long from, String id, long entries, String problem) {
    public static DeltaIdRecord computed(long from, String id, long entries) {
        return new DeltaIdRecord(from, id, entries, null);
    }

    public static DeltaIdRecord unavailable(long from, String problem) {
        return new DeltaIdRecord(from, null, -1, problem);
    }

    public boolean available() {
        return id != null;
    }

    /** {@code [1] from(8) entries(8) state('i' id | 'x' problem) utf-8 text}. */
    public byte[] encode() {
        byte[] text = (id != null ? id : problem).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 8 + 1 + text.length)
                .put((byte) 1)
                .putLong(from)
                .putLong(entries)
                .put((byte) (id != null ? 'i' : 'x'))
                .put(text)
                .array();
    }

    public static DeltaIdRecord decode(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        int format = bb.get();
        if (format != 1) throw new IllegalStateException("unknown delta id record format " + format);
        long from = bb.getLong();
        long entries = bb.getLong();
        byte state = bb.get();
        byte[] text = new byte[bb.remaining()];
        bb.get(text);
        String s = new String(text, StandardCharsets.UTF_8);
        return state == 'i' ? computed(from, s, entries) : unavailable(from, s);
    }
}
