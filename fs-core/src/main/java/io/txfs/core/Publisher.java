package io.txfs.core;

import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.Cf;
import io.txfs.core.store.KvIterator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Publish: first-committer-wins check of the view's conflict keys, then one batch that moves the pending
 * records to a new published version. Chunks are not touched: the published records name the layer
 * they live in. Caller holds the publish lock and the view's write lock.
 */
final class Publisher {
    private final Engine e;

    Publisher(Engine e) {
        this.e = e;
    }

    PublishResult publish(View v, boolean force) {
        Ctx c = e.readCtx(v);
        Map<ByteBuffer, Long> keys = new LinkedHashMap<>();
        try (KvIterator it = e.store.scan(Cf.P_KEY, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                keys.put(ByteBuffer.wrap(Arrays.copyOfRange(k, 8, k.length)), Bytes.getLong(it.value(), 0));
            }
        }
        if (!force) {
            List<String> conflicts = conflicts(c, keys);
            if (!conflicts.isEmpty()) throw new PublishConflictException(v.name, conflicts);
        }
        long ver = e.head + 1;
        Batch b = new Batch();
        int seq = 0;
        long paths = 0;
        Set<Long> nodes = new HashSet<>();
        Set<Long> changedInPlace = new HashSet<>();
        Set<ChangeSet.Entry> entries = new HashSet<>();
        Map<Long, byte[]> raw = new LinkedHashMap<>();
        try (KvIterator it = e.store.scan(Cf.P_NODE, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) raw.put(Bytes.getLong(it.key(), 8), it.value());
        }
        Map<Link, Dent> dropped = new LinkedHashMap<>();
        if (force) {
            Map<Long, NodeRecord> records = new LinkedHashMap<>();
            for (var en : raw.entrySet()) records.put(en.getKey(), NodeRecord.decode(en.getValue()));
            for (long id : relinkForForce(v, records, dropped)) keys.putIfAbsent(ByteBuffer.wrap(Keys.conflictKey('N', id)), v.snapshot);
            for (Link l : dropped.keySet()) {
                keys.putIfAbsent(ByteBuffer.wrap(Keys.conflictKeyE(l.parent(), l.name())), v.snapshot);
                keys.putIfAbsent(ByteBuffer.wrap(Keys.conflictKey('C', l.parent())), v.snapshot);
            }
            for (var en : records.entrySet()) raw.put(en.getKey(), en.getValue().encode());
        }
        for (var en : raw.entrySet()) {
            long id = en.getKey();
            byte[] val = en.getValue();
            // Records are copied as they are; only directories changed as a side effect are decoded.
            boolean dir = val[1] == FileType.DIRECTORY.ordinal();
            boolean explicit = keys.containsKey(ByteBuffer.wrap(Keys.conflictKey('N', id)));
            if (dir && !explicit) val = mergeImplicit(id, NodeRecord.decode(val)).encode();
            b.put(Cf.NODE, Keys.node(id, ver), val);
            // A node this view created is new to everyone: its entry tells them, no node change needed.
            if (NodeRecord.bornLayer(val) != v.layer) {
                b.put(Cf.CHANGE, Keys.change(ver, seq++), Bytes.concat(new byte[] {1, 'N'}, Bytes.longs(id)));
                nodes.add(id);
            } else if (NodeRecord.nlink(val) == 0) {
                Collector.enqueueNode(b, id); // made and removed in this view: not in the change log
            }
            if (!dir && explicit) changedInPlace.add(id);
        }
        try (KvIterator it = e.store.scan(Cf.P_DENT, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                long parent = Bytes.getLong(k, 8);
                byte[] name = Arrays.copyOfRange(k, 16, k.length);
                b.put(Cf.DENT, Keys.dent(parent, name, ver), it.value());
                b.put(Cf.CHANGE, Keys.change(ver, seq++), Bytes.concat(new byte[] {1, 'E'}, Bytes.longs(parent), name));
                entries.add(new ChangeSet.Entry(parent, name));
                changedInPlace.remove(Dent.decode(it.value()).child());
                paths++;
            }
        }
        for (var en : dropped.entrySet()) {
            Link l = en.getKey();
            b.put(Cf.DENT, Keys.dent(l.parent(), l.name(), ver), en.getValue().encode());
            b.put(Cf.CHANGE, Keys.change(ver, seq++), Bytes.concat(new byte[] {1, 'E'}, Bytes.longs(l.parent()), l.name()));
            entries.add(new ChangeSet.Entry(l.parent(), l.name()));
        }
        paths += changedInPlace.size();
        Set<Long> entryParents = new HashSet<>();
        for (ChangeSet.Entry en : entries) entryParents.add(en.parent());
        SubtreeVersions.mark(e, b, ver, raw, nodes, entryParents);
        for (ByteBuffer k : keys.keySet()) {
            b.put(Cf.CONFLICT, Bytes.concat(Bytes.longs(ver), k.array()), new byte[] {1});
        }
        // The whole pending delta goes in three range deletes instead of one delete per record.
        for (Cf cf : new Cf[] {Cf.P_NODE, Cf.P_DENT, Cf.P_KEY}) b.deleteRange(cf, Bytes.longs(v.id), Bytes.longs(v.id + 1));
        long bytes = v.pendingBytes;
        long now = e.clock.nowNanos();
        b.put(Cf.LOG, Bytes.longs(ver), LogCodec.encode("publish", v.name, now, paths, bytes));
        b.put(Cf.META, Keys.meta("head"), Bytes.longs(ver));
        long oldSnapshot = v.snapshot;
        long newLayer = e.layers.next();
        View after = new View(v.name, v.id, v.isolation, v.ownerUid, v.createdNs, ver, newLayer, 0);
        b.put(Cf.VIEWS, v.name.getBytes(StandardCharsets.UTF_8), after.encode());
        e.faults.reached(FaultPoint.PUBLISH_BEFORE_BATCH);
        // Not synced: publish is visibility, flush is durability (SPEC). The batch is in the WAL, so a
        // killed process keeps it; syncing here would also wait for every unsynced byte the view wrote,
        // making publish cost grow with file sizes.
        try {
            e.store.write(b, false);
        } finally {
            if (v.pending != null) v.pending.clear();
        }
        e.faults.reached(FaultPoint.PUBLISH_AFTER_BATCH);
        e.head = ver;
        v.snapshot = ver;
        v.layer = newLayer;
        v.pendingBytes = 0;
        ChangeSet mine = new ChangeSet(nodes, entries);
        Map<String, ChangeSet> visible = new HashMap<>();
        if (v.isolation == Isolation.SNAPSHOT && oldSnapshot < ver - 1) {
            visible.put(v.name, e.changesBetween(oldSnapshot, ver - 1));
        }
        for (View o : e.views.values()) {
            if (o != v && o.isolation == Isolation.READ_COMMITTED) visible.put(o.name, mine);
        }
        visible.put(Engine.PUBLISHED_VIEW, mine);
        for (var en : visible.entrySet()) {
            if (!en.getKey().equals(v.name)) e.listener.visibleChange(en.getKey(), en.getValue());
        }
        return new PublishResult(v.name, ver, paths, bytes, visible, List.of(), List.of());
    }

    /**
     * Last writer wins per name and per node: the names of every node end up as the published names
     * overwritten by this view's entries, so a forced publish never leaves a node believing it lives
     * under a name that now holds something else.
     */
    private Set<Long> relinkForForce(View v, Map<Long, NodeRecord> records, Map<Link, Dent> dropped) {
        Set<Long> relinked = new HashSet<>();
        Set<Long> owned = new HashSet<>();
        for (var en : records.entrySet()) {
            long id = en.getKey();
            NodeRecord h = e.publishedNode(id, e.head);
            if (h == null) continue;
            NodeRecord mine = en.getValue();
            NodeRecord base = e.publishedNode(id, v.snapshot);
            boolean placedByView = base == null || !new HashSet<>(base.links).equals(new HashSet<>(mine.links));
            if (placedByView) {
                owned.add(id);
                // The view moved, linked or unlinked this node: its names win; names others gave it go.
                for (Link l : h.links) {
                    if (!mine.links.contains(l) && e.publishedDent(l.parent(), l.name(), e.head).child() == id
                            && e.store.get(Cf.P_DENT, Keys.pDent(v.id, l.parent(), l.name())) == null) {
                        dropped.put(l, Dent.DELETED);
                    }
                }
            } else {
                mine.links = new ArrayList<>(h.links);
                mine.nlink = h.nlink;
            }
        }
        try (KvIterator it = e.store.scan(Cf.P_DENT, Bytes.longs(v.id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                Link l = new Link(Bytes.getLong(k, 8), Arrays.copyOfRange(k, 16, k.length));
                long child = Dent.decode(it.value()).child();
                long headChild = e.publishedDent(l.parent(), l.name(), e.head).child();
                if (headChild == child) continue;
                if (headChild != 0 && !owned.contains(headChild)) {
                    NodeRecord r = recordFor(records, headChild);
                    if (r != null && r.links.remove(l)) {
                        r.nlink = r.isDir() ? 0 : Math.max(0, r.nlink - 1);
                        relinked.add(headChild);
                    }
                }
                if (child != 0 && !owned.contains(child)) {
                    NodeRecord r = recordFor(records, child);
                    if (r != null && !r.links.contains(l)) {
                        r.links.add(l);
                        r.nlink = r.isDir() ? 1 : r.nlink + 1;
                        relinked.add(child);
                    }
                }
            }
        }
        return relinked;
    }

    private NodeRecord recordFor(Map<Long, NodeRecord> records, long id) {
        NodeRecord r = records.get(id);
        if (r == null) {
            r = e.publishedNode(id, e.head);
            if (r != null) records.put(id, r);
        }
        return r;
    }

    /** A directory changed only as a side effect (entries added or removed): keep what others published. */
    private NodeRecord mergeImplicit(long id, NodeRecord pending) {
        NodeRecord headRec = e.publishedNode(id, e.head);
        if (headRec == null || headRec.nlink == 0 || !headRec.isDir()) return pending;
        headRec.mtime = Math.max(headRec.mtime, pending.mtime);
        headRec.ctime = Math.max(headRec.ctime, pending.ctime);
        return headRec;
    }

    /**
     * Conflict keys published after the oldest base among the view's keys, newest version per key: the
     * check costs the changes published since the view began, not the size of the view's delta.
     */
    private Map<ByteBuffer, Long> publishedSince(long version) {
        Map<ByteBuffer, Long> since = new HashMap<>();
        try (KvIterator it = e.store.scan(Cf.CONFLICT, Bytes.longs(version + 1), new byte[0])) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                since.merge(ByteBuffer.wrap(Arrays.copyOfRange(k, 8, k.length)), Bytes.getLong(k, 0), Math::max);
            }
        }
        return since;
    }

    private List<String> conflicts(Ctx c, Map<ByteBuffer, Long> keys) {
        TreeSet<String> out = new TreeSet<>();
        if (keys.isEmpty()) return List.of();
        long oldest = Long.MAX_VALUE;
        for (long base : keys.values()) oldest = Math.min(oldest, base);
        Map<ByteBuffer, Long> since = publishedSince(oldest);
        if (since.isEmpty()) return List.of();
        Map<String, Boolean> checkedDirs = new HashMap<>();
        for (var en : keys.entrySet()) {
            byte[] k = en.getKey().array();
            long base = en.getValue();
            switch (k[0]) {
                case 'E' -> {
                    long parent = Bytes.getLong(k, 1);
                    byte[] name = Arrays.copyOfRange(k, 9, k.length - 1);
                    if (after(since, k, base)) out.add(path(c, parent, name));
                    String gone = ancestorGone(c, since, parent, base, checkedDirs);
                    if (gone != null) out.add(gone);
                }
                case 'N' -> {
                    if (after(since, k, base)) out.add(nodePath(c, Bytes.getLong(k, 1)));
                }
                case 'R' -> {
                    long id = Bytes.getLong(k, 1);
                    if (after(since, k, base) || after(since, Keys.conflictKey('C', id), base)
                            || after(since, Keys.conflictKey('N', id), base)) {
                        out.add(nodePath(c, id));
                    }
                }
                default -> { }
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean after(Map<ByteBuffer, Long> since, byte[] key, long base) {
        Long v = since.get(ByteBuffer.wrap(key));
        return v != null && v > base;
    }

    /** The path of the first ancestor directory (parent included) removed or renamed after base. */
    private String ancestorGone(Ctx c, Map<ByteBuffer, Long> since, long dir, long base, Map<String, Boolean> checked) {
        long cur = dir;
        int guard = 0;
        while (cur != Engine.ROOT && guard++ < 4096) {
            long d = cur;
            if (checked.computeIfAbsent(d + "@" + base, x -> after(since, Keys.conflictKey('R', d), base))) return nodePath(c, d);
            NodeRecord r = e.node(c, cur);
            if (r == null || r.links.isEmpty()) return null;
            cur = r.link().parent();
        }
        return null;
    }

    private String path(Ctx c, long parent, byte[] name) {
        String p = e.pathOf(c, parent);
        String n = Engine.utf8(name);
        return p == null ? "?/" + n : "/" + (p.isEmpty() ? n : p + "/" + n);
    }

    private String nodePath(Ctx c, long id) {
        String p = e.pathOf(c, id);
        if (p == null) {
            NodeRecord r = e.publishedNode(id, e.head);
            if (r != null && r.link() != null) return path(c, r.link().parent(), r.link().name());
            return "?node-" + id;
        }
        return "/" + p;
    }
}
