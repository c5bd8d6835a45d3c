package io.txfs.core.tree;

import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a view's own layer stores (its pendingBytes): chunk bytes it wrote and still holds. A write
 * adds what the layer did not hold yet, a truncate subtracts what it cut; a file the view removed holds
 * its chunks only while the mount still refers to it (an open descriptor reads a removed file), then
 * {@link #reclaimRemoved} gives them back. docs/storage-format.md, "Garbage collection".
 */
public final class OwnLayerSpace {
    private OwnLayerSpace() {}

    /** Whether a pending record is of a removed node whose chunks are in the view's own layer. */
    public static boolean removedWithOwnChunks(NodeRecord r, long layer) {
        return r != null && r.nlink == 0 && r.chainLayer.length > 0 && r.chainLayer[0] == layer;
    }

    /**
     * Deletes the own-layer chunks (and data file) of node ino if the view removed it; the record forgets
     * the layer. Returns the bytes given back (0 if the node is not such a node).
     */
    public static long reclaimRemoved(EngineParts e, ViewOperation c, long ino) {
        NodeRecord r = e.tree().node(c, ino);
        if (!removedWithOwnChunks(r, c.layer)) return 0;
        NodeRecord m = e.tree().mutable(c, ino);
        long freed = deleteLayerChunks(e.state().store, c.batch, ino, c.layer, 0);
        m.chainLayer = Arrays.copyOfRange(m.chainLayer, 1, m.chainLayer.length);
        m.chainValid = Arrays.copyOfRange(m.chainValid, 1, m.chainValid.length);
        c.bytes -= freed;
        long layer = c.layer;
        c.afterCommit.add(
                () -> e.state().chunkData.delete(ino, layer)); // after the batch: a crash before leaves it to the sweep
        return freed;
    }

    /**
     * Counts again what the view's own layers store, from its pending records and their chunks, and
     * writes it if it differs (records written before pendingBytes counted stored bytes counted every
     * byte written). Holds the view's write lock: cost is the view's pending delta.
     */
    public static void recount(EngineState e, View v) {
        v.lock.writeLock().lock();
        try {
            if (v.discarded || e.closed()) return; // close holds every view's lock, then closes the store
            long n = 0;
            try (KvIterator it = e.store.scan(ColumnFamily.P_NODE, Bytes.longs(v.id))) {
                for (; it.valid(); it.next()) {
                    NodeRecord r = NodeRecord.decode(it.value());
                    for (long layer : r.chainLayer)
                        if (v.ownsLayer(layer)) n += stored(e, Bytes.getLong(it.key(), 8), layer);
                }
            }
            if (n == v.pendingBytes) return;
            v.pendingBytes = n;
            Batch b = new Batch();
            b.put(ColumnFamily.VIEWS, v.name.getBytes(StandardCharsets.UTF_8), v.encode());
            e.store.write(b, false);
        } finally {
            v.lock.writeLock().unlock();
        }
    }

    private static long stored(EngineState e, long ino, long layer) {
        long n = 0;
        try (KvIterator it = e.store.scan(ColumnFamily.CHUNK, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 16) == layer) n += Content.storedLength(it.value());
            }
        }
        return n;
    }

    /** Deletes the chunks of node id in layer from chunk fromIndex on; returns the bytes they stored. */
    public static long deleteLayerChunks(Store store, Batch b, long id, long layer, long fromIndex) {
        long stored = 0;
        try (KvIterator it = store.scan(ColumnFamily.CHUNK, Keys.chunk(id, fromIndex, 0), Bytes.longs(id))) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 16) == layer) {
                    b.delete(ColumnFamily.CHUNK, it.key());
                    stored += Content.storedLength(it.value());
                }
            }
        }
        return stored;
    }
}
