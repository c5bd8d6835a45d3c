package io.txfs.core;

import io.txfs.core.backing.Backing;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FsException;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.Checkpoint;
import io.txfs.core.tree.CheckpointRows;
import io.txfs.core.tree.Content;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.PendingCache;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.SubtreeVersions;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a store: a new one gets version 0 (the backing root), an existing one its versions and views
 * back, an older format is upgraded in place, and data files a crash left unnamed are removed
 * (docs/recovery.md). A flush a crash interrupted is Flusher's to recover.
 */
final class StoreOpening {
    private static final Logger log = LoggerFactory.getLogger(StoreOpening.class);
    private static final byte[] EMPTY = new byte[0];

    private final EngineState state;
    private final PublishedVersions versions;
    private final BackingImport imports;

    StoreOpening(EngineState state, PublishedVersions versions, BackingImport imports) {
        this.state = state;
        this.versions = versions;
        this.imports = imports;
    }

    /**
     * The store's format (META "format"): 2 since chunk values may name data files, 3 since preserved
     * copies are keyed by an identity with its gen (Identity), 4 since a preserved copy may be partial,
     * naming its successor (PreservedMarker; format-3 markers read as complete copies, as they are).
     */
    static final byte FORMAT = 4;

    /** Reads (or, for a new store, writes) the versions and the views; returns the first version with subtree marks; upgrades an older format. */
    long initialize() {
        byte[] h = state.store.get(ColumnFamily.META, Keys.meta("head"));
        if (h == null) {
            NodeRecord root = imports.importRecord("", List.of());
            Batch b = new Batch();
            b.put(ColumnFamily.NODE, Keys.node(EngineConstants.ROOT, 0), root.encode());
            b.put(ColumnFamily.META, Keys.meta("format"), new byte[] {FORMAT});
            b.put(ColumnFamily.META, Keys.meta("head"), Bytes.longs(0));
            b.put(ColumnFamily.META, Keys.meta("flushed"), Bytes.longs(0));
            state.store.write(b, true);
            state.opened(0, 0);
        } else {
            state.opened(
                    Bytes.getLong(h, 0), Bytes.getLong(state.store.get(ColumnFamily.META, Keys.meta("flushed")), 0));
            checkSameBacking();
            byte[] f = state.store.get(ColumnFamily.META, Keys.meta("format"));
            if (f == null || f[0] < FORMAT) {
                // format 1 stores hold only inline chunks, which format 2 still reads
                Batch up = new Batch();
                if (f == null || f[0] < 3) keyPreservedCopiesByGen(up);
                up.put(ColumnFamily.META, Keys.meta("format"), new byte[] {FORMAT});
                state.store.write(up, true);
            } else if (f[0] > FORMAT) {
                throw new FsException(Errno.EIO, "the store has format " + f[0] + "; this txfs reads up to " + FORMAT);
            }
        }
        long subtreeFrom = SubtreeVersions.initialize(state);
        try (KvIterator it = state.store.scan(ColumnFamily.VIEWS, EMPTY)) {
            for (; it.valid(); it.next()) {
                String name = new String(it.key(), StandardCharsets.UTF_8);
                View v = View.decode(name, it.value());
                v.pending = new PendingCache();
                try (KvIterator p = state.store.scan(ColumnFamily.P_NODE, Bytes.longs(v.id))) {
                    if (p.valid()) v.changes = 1;
                }
                state.views.put(name, v);
            }
        }
        loadCheckpoints();
        return subtreeFrom;
    }

    /**
     * Gives each view its checkpoints. Those of a view that is gone (a store written by a txfs that dropped
     * them apart from the view) are deleted with their rows: nothing can read them.
     */
    private void loadCheckpoints() {
        Map<Long, View> byId = new HashMap<>();
        for (View v : state.views.values()) byId.put(v.id, v);
        Map<Long, List<Checkpoint>> found = new HashMap<>();
        Batch orphans = new Batch();
        try (KvIterator it = state.store.scan(ColumnFamily.CHECKPOINT, EMPTY)) {
            for (; it.valid(); it.next()) {
                long viewId = Bytes.getLong(it.key(), 0);
                Checkpoint cp = Checkpoint.decode(it.key(), it.value());
                if (byId.containsKey(viewId))
                    found.computeIfAbsent(viewId, k -> new ArrayList<>()).add(cp);
                else CheckpointRows.drop(state.store, orphans, viewId, List.of(cp));
            }
        }
        for (var en : found.entrySet()) byId.get(en.getKey()).checkpoints = List.copyOf(en.getValue());
        if (!orphans.isEmpty()) state.store.write(orphans, false);
    }

    /** Format 3: preserved copies of formats 1 and 2 (key without gen) get the key of gen 0. */
    private void keyPreservedCopiesByGen(Batch up) {
        try (KvIterator it = state.store.scan(ColumnFamily.PRESERVED, EMPTY)) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                if (k.length != 40) continue;
                byte[] nk = new byte[48];
                System.arraycopy(k, 0, nk, 0, 32);
                System.arraycopy(k, 32, nk, 40, 8);
                up.delete(ColumnFamily.PRESERVED, k);
                up.put(ColumnFamily.PRESERVED, nk, it.value());
            }
        }
    }

    /** The state was made for one backing directory; opening it over another would mix the two. */
    private void checkSameBacking() {
        NodeRecord root = versions.node(EngineConstants.ROOT, state.flushed()); // version 0 may be collected
        try {
            Map<String, Object> a = Backing.lstat(state.backing.root);
            if (root != null
                    && root.hasBase
                    && (root.bdev != (Long) a.get("dev") || root.bino != (Long) a.get("ino"))) {
                log.error(
                        "state directory was made for another state.backing directory (dev {} ino {}), now {} is dev {} ino {};"
                                + " state.backing files will read as changed outside txfs",
                        root.bdev,
                        root.bino,
                        state.backing.root,
                        a.get("dev"),
                        a.get("ino"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("stat state.backing root " + state.backing.root, e);
        }
    }

    /**
     * Removes data files no chunk key names: written by a write whose batch never committed (a crash
     * between the two), or whose keys a collection deleted just before a crash. Runs at open, before
     * anything is served, so no write is in flight.
     */
    void sweepChunkData() {
        int removed = 0;
        for (long[] f : state.chunkData.list()) {
            if (!namesDataFile(f[0], f[1])) {
                state.chunkData.delete(f[0], f[1]);
                removed++;
            }
        }
        if (removed > 0) log.info("removed {} chunk data files no chunk names", removed);
    }

    private boolean namesDataFile(long ino, long layer) {
        try (KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), 16) == layer && Content.isExternal(it.value())) return true;
            }
        }
        return false;
    }
}
