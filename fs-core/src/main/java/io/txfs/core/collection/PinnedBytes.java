package io.txfs.core.collection;

import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.format.PreservedMarker;
import io.txfs.core.model.Identity;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What each snapshot view pins (docs/storage-format.md, "Pinned bytes"): the bytes garbage collection
 * keeps only because that view reads its version — record versions (key and value) no other reader sees,
 * and preserved chunks (PreservedMarker) only the view's records reach. Other readers: the newest kept
 * versions (retainFrom, the collector's keepFrom, to head), the flushed version, other snapshot versions,
 * pinned handles and pending records. Views that read the same version each show the bytes kept for it.
 */
public final class PinnedBytes {
    private static final byte[] EMPTY = new byte[0];

    private final EngineState state;

    private final PublishedVersions versions;
    private final long head;
    private final long retainFrom;
    /** Snapshot versions older than retainFrom, other than the flushed one (those are kept anyway): what they pin. */
    private final Map<Long, Long> bySnapshot = new HashMap<>();
    /** Every version a snapshot view or pinned handle reads. */
    private final TreeSet<Long> points = new TreeSet<>();

    private PinnedBytes(EngineParts parts, long head, long retainFrom, long flushed, Set<Long> pins) {
        this.state = parts.state();
        this.versions = parts.versions();
        this.head = head;
        this.retainFrom = retainFrom;
        points.addAll(pins);
        points.add(flushed);
        for (View v : state.views.values()) {
            if (v.isolation != Isolation.SNAPSHOT) continue;
            points.add(v.snapshot);
            if (v.snapshot < retainFrom && v.snapshot != flushed) bySnapshot.put(v.snapshot, 0L);
        }
    }

    /** Pinned bytes by view name (0 for views that pin nothing); records that vanish meanwhile count as gone. */
    public static Map<String, Long> byView(EngineParts e, long retainFrom, long flushed, Set<Long> pins) {
        PinnedBytes p = new PinnedBytes(e, e.state().head(), retainFrom, flushed, pins);
        if (!p.bySnapshot.isEmpty()) {
            p.recordVersions();
            p.preserved();
        }
        Map<String, Long> out = new HashMap<>();
        for (View v : e.state().views.values()) {
            out.put(v.name, v.isolation == Isolation.SNAPSHOT ? p.bySnapshot.getOrDefault(v.snapshot, 0L) : 0L);
        }
        return out;
    }

    /**
     * Record versions of the keys the collector still has queued (those with more than one record left:
     * every key whose older versions a reader holds back is among them).
     */
    private void recordVersions() {
        try (KvIterator q = state.store.scan(ColumnFamily.GC, EMPTY)) {
            for (; q.valid(); q.next()) {
                byte[] k = q.key();
                if (k[0] == 'N') {
                    versions(ColumnFamily.NODE, Arrays.copyOfRange(k, 1, 9));
                } else if (k[0] == 'E') {
                    versions(ColumnFamily.DENT, Keys.dentName(Bytes.getLong(k, 1), Arrays.copyOfRange(k, 9, k.length)));
                }
            }
        }
    }

    private void versions(ColumnFamily cf, byte[] prefix) {
        long until = Long.MAX_VALUE;
        try (KvIterator it = state.store.scan(cf, prefix)) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                long v = Long.MAX_VALUE - Bytes.getLong(k, k.length - 8);
                Long only = onlyReader(v, until);
                if (only != null) bySnapshot.merge(only, (long) (k.length + it.value().length), Long::sum);
                until = v;
            }
        }
    }

    /** The snapshot version that alone reads a record written at from and superseded at until, else null. */
    private Long onlyReader(long from, long until) {
        if (from > head || until > retainFrom) return null; // a kept version reads it
        Long p = points.ceiling(from);
        if (p == null || p >= until) return null;
        Long next = points.higher(p);
        if (next != null && next < until) return null;
        return bySnapshot.containsKey(p) ? p : null;
    }

    /** Preserved chunks only one snapshot version's records reach. One seek per preserved identity. */
    private void preserved() {
        Map<Long, Map<Long, Set<Identity>>> reachByNode = new HashMap<>();
        byte[] from = EMPTY;
        while (true) {
            byte[] key;
            try (KvIterator it = state.store.scan(ColumnFamily.PRESERVED, from, EMPTY)) {
                if (!it.valid()) return;
                key = it.key();
            }
            byte[] idBytes = Arrays.copyOf(key, 40);
            from = Bytes.prefixEnd(idBytes);
            Identity id = new Identity(
                    Bytes.getLong(key, 0),
                    Bytes.getLong(key, 8),
                    Bytes.getLong(key, 16),
                    Bytes.getLong(key, 24),
                    Bytes.getLong(key, 32));
            PreservedMarker m = PreservedCopies.marker(state.store, id);
            if (m == null || m.node() == 0 || m.bytes() <= 0) continue; // no marker, or a format-3 one: not attributed
            Map<Long, Set<Identity>> reach = reachByNode.computeIfAbsent(m.node(), this::reachByReader);
            Long only = null;
            int readers = 0;
            for (var r : reach.entrySet()) {
                if (!r.getValue().contains(id)) continue;
                readers++;
                only = r.getKey();
            }
            if (readers == 1 && only != null && bySnapshot.containsKey(only))
                bySnapshot.merge(only, m.bytes(), Long::sum);
        }
    }

    /**
     * For node ino, the identities each reader reaches: key a snapshot version older than retainFrom, or
     * -1 for everything else (kept versions, younger snapshots, pins, pending records).
     */
    private Map<Long, Set<Identity>> reachByReader(long ino) {
        Map<Long, List<Identity>> bases = new HashMap<>();
        List<Identity> others = new ArrayList<>();
        bases.put(-1L, others);
        for (long p : points) {
            NodeRecord r = versions.node(ino, p);
            if (r == null || !r.hasBase) continue;
            if (bySnapshot.containsKey(p))
                bases.computeIfAbsent(p, k -> new ArrayList<>()).add(r.identity());
            else others.add(r.identity());
        }
        try (KvIterator it = state.store.scan(ColumnFamily.NODE, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) {
                long v = Long.MAX_VALUE - Bytes.getLong(it.key(), 8);
                NodeRecord r = NodeRecord.decode(it.value());
                if (r.hasBase && v <= head) others.add(r.identity());
                if (v <= retainFrom) break; // the record retainFrom reads is the oldest a kept version reads
            }
        }
        for (long holder : state.pendingHolders()) {
            byte[] p = state.store.get(ColumnFamily.P_NODE, Keys.pNode(holder, ino));
            if (p == null) continue;
            NodeRecord r = NodeRecord.decode(p);
            if (r.hasBase) others.add(r.identity());
        }
        Map<Long, Set<Identity>> out = new HashMap<>();
        for (var b : bases.entrySet()) out.put(b.getKey(), PreservedCopies.reachable(state.store, b.getValue()));
        return out;
    }
}
