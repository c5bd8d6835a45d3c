package io.txfs.core.tree;

import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.format.LogCodec;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.LogEntry;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * The log of published and flushed versions with their delta ids, the hook that computes those ids
 * (VersionHook), and how far back versions must be kept for it (docs/inspection.md).
 */
public final class VersionLog {
    private static final byte[] EMPTY = new byte[0];

    private final EngineState state;
    private final GcPolicy gcPolicy;
    private volatile VersionHook versionHook = VersionHook.NONE;

    public VersionLog(EngineState state, GcPolicy gcPolicy) {
        this.state = state;
        this.gcPolicy = gcPolicy;
    }

    /**
     * The first version of the newest run of kept versions: the garbage-collection policy's, or older
     * when derived work (delta ids) still has to read an older one.
     */
    public long keepFrom() {
        return Math.min(
                Math.min(gcPolicy.keepFrom(state.head(), state.flushed()), versionHook.oldestNeeded()), idFloor);
    }

    public void hook(VersionHook hook) {
        versionHook = hook == null ? VersionHook.NONE : hook;
        if (versionHook != VersionHook.NONE) idFloor = Long.MAX_VALUE;
    }

    public VersionHook hook() {
        return versionHook;
    }

    /**
     * Until a version hook is installed, the version before the oldest publish since the last flush that
     * has no delta id (a daemon killed before its thread got there): the collection at open must not thin
     * out what the restarted delta-id thread will read. Long.MAX_VALUE when none is missing.
     */
    private volatile long idFloor = Long.MAX_VALUE;

    /** Called once the store is open (see idFloor). */
    public void findMissingDeltaIds() {
        idFloor = oldestWithoutDeltaId();
    }

    private long oldestWithoutDeltaId() {
        for (long v = state.flushed() + 1; v <= state.head(); v++) {
            if (entry(v) != null && deltaId(v) == null) return v - 1;
        }
        return Long.MAX_VALUE;
    }

    /** The stored delta id of log version {@code version}, or null if none is stored (yet). */
    public DeltaIdRecord deltaId(long version) {
        try {
            byte[] b = state.store.get(ColumnFamily.DELTA_ID, Bytes.longs(version));
            return b == null ? null : DeltaIdRecord.decode(b);
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    /** Stores the delta id of log version {@code version} (not synced: a later flush's synced plan carries it). */
    public void putDeltaId(long version, DeltaIdRecord r) {
        try {
            state.store.write(new Batch().put(ColumnFamily.DELTA_ID, Bytes.longs(version), r.encode()), false);
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    /** The log record of version {@code version}, or null (a version that is neither a publish nor a flush: 0). */
    public LogEntry entry(long version) {
        try {
            byte[] b = state.store.get(ColumnFamily.LOG, Bytes.longs(version));
            return b == null ? null : LogCodec.decode(version, b);
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    public List<LogEntry> entries() {
        List<LogEntry> out = new ArrayList<>();
        try (KvIterator it = state.store.scan(ColumnFamily.LOG, EMPTY)) {
            for (; it.valid(); it.next()) out.add(LogCodec.decode(Bytes.getLong(it.key(), 0), it.value()));
        }
        return out;
    }
}
