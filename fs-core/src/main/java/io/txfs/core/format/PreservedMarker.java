package io.txfs.core.format;

import io.txfs.core.model.Identity;
import io.txfs.core.store.Bytes;

/**
 * The marker of a preserved copy (key: identity, chunk index −1; docs/storage-format.md, "Preserved
 * copies"). A flush that patches a file in place keeps only the chunks it overwrites under the old
 * identity and names the identity the file has after it ({@code successor}): every other chunk of the
 * old content is still where the successor's content is, so a reader follows old identity → successor
 * → … until it finds the chunk or reaches the file on disk. A complete copy (a file a flush replaced or
 * removed, or a format-3 marker) holds every chunk and ends the walk.
 *
 * @param kind     {@link #COMPLETE}, {@link #PARTIAL} (successor known) or {@link #STAGED} (a partial copy
 *                 whose flush has not completed yet: no successor)
 * @param node     the node whose content it is (0: unknown, a format-3 marker)
 * @param bytes    chunk bytes stored under this identity (−1: unknown, a format-3 marker)
 * @param successor the identity the file had after the flush that made this copy (PARTIAL only)
 */
public record PreservedMarker(byte kind, long node, long bytes, Identity successor) {
    static final byte COMPLETE = 'c';
    static final byte PARTIAL = 'p';
    public static final byte STAGED = 's';
    private static final byte FORMAT = 2;

    public static PreservedMarker complete(long node, long bytes) {
        return new PreservedMarker(COMPLETE, node, bytes, null);
    }

    public static PreservedMarker staged(long node, long bytes) {
        return new PreservedMarker(STAGED, node, bytes, null);
    }

    public PreservedMarker withSuccessor(Identity next) {
        return new PreservedMarker(PARTIAL, node, bytes, next);
    }

    public boolean isComplete() {
        return kind == COMPLETE;
    }

    public byte[] encode() {
        boolean hasNext = successor != null;
        byte[] b = new byte[18 + (hasNext ? 40 : 0)];
        b[0] = FORMAT;
        b[1] = kind;
        Bytes.putLong(b, 2, node);
        Bytes.putLong(b, 10, bytes);
        if (hasNext) {
            Bytes.putLong(b, 18, successor.dev());
            Bytes.putLong(b, 26, successor.ino());
            Bytes.putLong(b, 34, successor.size());
            Bytes.putLong(b, 42, successor.mtimeNs());
            Bytes.putLong(b, 50, successor.gen());
        }
        return b;
    }

    public static PreservedMarker decode(byte[] v) {
        if (v.length == 1 && v[0] == 1) return new PreservedMarker(COMPLETE, 0, -1, null); // format 3: always whole
        if (v.length < 18 || v[0] != FORMAT || (v[1] != COMPLETE && v[1] != PARTIAL && v[1] != STAGED)) {
            throw new IllegalStateException("unknown preserved marker format " + (v.length == 0 ? "(empty)" : v[0]));
        }
        Identity next = null;
        if (v[1] == PARTIAL) {
            if (v.length < 58) throw new IllegalStateException("preserved marker without its successor");
            next = new Identity(
                    Bytes.getLong(v, 18),
                    Bytes.getLong(v, 26),
                    Bytes.getLong(v, 34),
                    Bytes.getLong(v, 42),
                    Bytes.getLong(v, 50));
        }
        return new PreservedMarker(v[1], Bytes.getLong(v, 2), Bytes.getLong(v, 10), next);
    }
}
