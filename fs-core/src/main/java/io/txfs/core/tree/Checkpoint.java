package io.txfs.core.tree;

import io.txfs.core.store.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A named state of one view's pending delta (docs/reproducibility.md, "Checkpoints"). Its records are a copy
 * of the view's pending records at that moment, kept under their own id in {@code p_node}, {@code p_dent}
 * and {@code p_key}; file data is not copied: the layer the view wrote until then is frozen (the view goes on
 * in a fresh one), so the chunks the records name never change.
 *
 * @param id the key prefix of its records: an id from the view ids, never a view's
 * @param layer the view's layer when it was taken, frozen since
 * @param pendingBytes the view's pending bytes then, restored by a rollback
 * @param paths the paths its delta changed, for listings
 * @param held the view's held layers once it was taken ({@link View#heldLayers}): every layer its records may
 *     name that a rollback keeps
 */
public record Checkpoint(String name, long id, long layer, long pendingBytes, long createdNs, long paths, long[] held) {
    public static final int FORMAT = 1;

    /** Key in {@code checkpoint}: the view's id, then the checkpoint's (ids grow, so the scan is oldest first). */
    public static byte[] key(long viewId, long checkpointId) {
        return Bytes.longs(viewId, checkpointId);
    }

    public byte[] encode() {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 * 4 + 2 + n.length + 4 + 8 * held.length)
                .put((byte) FORMAT)
                .putLong(layer)
                .putLong(pendingBytes)
                .putLong(createdNs)
                .putLong(paths)
                .putShort((short) n.length)
                .put(n)
                .putInt(held.length);
        for (long l : held) b.putLong(l);
        return b.array();
    }

    public static Checkpoint decode(byte[] key, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        int format = b.get();
        if (format != FORMAT) throw new IllegalStateException("unknown checkpoint record format " + format);
        long layer = b.getLong();
        long pending = b.getLong();
        long created = b.getLong();
        long paths = b.getLong();
        byte[] n = new byte[b.getShort() & 0xffff];
        b.get(n);
        long[] held = new long[b.getInt()];
        for (int i = 0; i < held.length; i++) held[i] = b.getLong();
        return new Checkpoint(
                new String(n, StandardCharsets.UTF_8), Bytes.getLong(key, 8), layer, pending, created, paths, held);
    }
}
