package io.txfs.core.tree;

import io.txfs.core.model.ChangeSet;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pending records of a view or a checkpoint, moved as rows: a checkpoint is a copy of the view's rows under
 * the checkpoint's id, a rollback the copy back. Rows are small (records and entries, never file data), so
 * both cost what the pending delta's paths do.
 */
public final class CheckpointRows {
    private static final ColumnFamily[] PENDING = {ColumnFamily.P_NODE, ColumnFamily.P_DENT, ColumnFamily.P_KEY};

    private CheckpointRows() {}

    /** Puts a copy of every pending row of {@code from} under {@code to}. Returns the rows copied. */
    public static long copy(Store store, Batch b, long from, long to) {
        long rows = 0;
        byte[] prefix = Bytes.longs(to);
        for (ColumnFamily cf : PENDING) {
            try (KvIterator it = store.scan(cf, Bytes.longs(from))) {
                for (; it.valid(); it.next()) {
                    byte[] k = it.key().clone();
                    System.arraycopy(prefix, 0, k, 0, 8);
                    b.put(cf, k, it.value());
                    rows++;
                }
            }
        }
        return rows;
    }

    /** The directory entries the pending rows of {@code id} change: what the kernel may have cached of them. */
    public static List<ChangeSet.Entry> entries(Store store, long id) {
        List<ChangeSet.Entry> out = new ArrayList<>();
        try (KvIterator it = store.scan(ColumnFamily.P_DENT, Bytes.longs(id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                out.add(new ChangeSet.Entry(Bytes.getLong(k, 8), Arrays.copyOfRange(k, 16, k.length)));
            }
        }
        return out;
    }

    /** Deletes every pending row of {@code id}, one by one (a range delete would slow every later read). */
    public static void delete(Store store, Batch b, long id) {
        for (ColumnFamily cf : PENDING) {
            try (KvIterator it = store.scan(cf, Bytes.longs(id))) {
                for (; it.valid(); it.next()) b.delete(cf, it.key());
            }
        }
    }

    /** Deletes the given checkpoints of view {@code viewId}: their records and their rows. */
    public static void drop(Store store, Batch b, long viewId, List<Checkpoint> checkpoints) {
        for (Checkpoint cp : checkpoints) {
            delete(store, b, cp.id());
            b.delete(ColumnFamily.CHECKPOINT, Checkpoint.key(viewId, cp.id()));
        }
    }
}
