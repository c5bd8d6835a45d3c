package io.txfs.core.tree;

import io.txfs.core.chunks.ChunkData;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The chunks a pending delta's layers hold that are about to be dropped (an abort, a discard, a rollback):
 * found from the records that name them, deleted in the dropping batch, their data files after it.
 */
public final class OwnChunks {
    private final Set<Long> layers = new HashSet<>();
    private final Map<Long, Set<Long>> byNode = new LinkedHashMap<>();
    private long bytes;

    /** Chunks of these layers will go. */
    public OwnChunks(long[] dropped) {
        for (long l : dropped) layers.add(l);
    }

    /** Notes the dropped layers the pending records of {@code holder} name; {@code nodes} (if given) gets their ids. */
    public void ofRecords(Store store, long holder, Set<Long> nodes) {
        try (KvIterator it = store.scan(ColumnFamily.P_NODE, Bytes.longs(holder))) {
            for (; it.valid(); it.next()) {
                long id = Bytes.getLong(it.key(), 8);
                if (nodes != null) nodes.add(id);
                for (long l : NodeRecord.decode(it.value()).chainLayer)
                    if (layers.contains(l))
                        byNode.computeIfAbsent(id, k -> new HashSet<>()).add(l);
            }
        }
    }

    /** Deletes the chunk keys in the batch; returns the bytes they stored. */
    public long deleteChunks(Store store, Batch b) {
        for (var en : byNode.entrySet())
            for (long l : en.getValue()) bytes += OwnLayerSpace.deleteLayerChunks(store, b, en.getKey(), l, 0);
        return bytes;
    }

    /** Once the batch is written: the data files of those chunks. */
    public void deleteDataFiles(ChunkData data) {
        for (var en : byNode.entrySet()) for (long l : en.getValue()) data.delete(en.getKey(), l);
    }
}
