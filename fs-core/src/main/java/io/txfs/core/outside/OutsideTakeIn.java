package io.txfs.core.outside;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.backing.BackingSymlinkException;
import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.Keys;
import io.txfs.core.format.LogCodec;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Identity;
import io.txfs.core.model.NameRules;
import io.txfs.core.model.RescanResult;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.SubtreeVersions;
import io.txfs.core.tree.ViewOperation;
import io.txfs.sys.Errno;
import io.txfs.sys.RawPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One comparison and its batch. The published version o = head + 1 carries the change for every
 * reader at or after it. When published versions wait for a flush (head > flushed), version flushed is
 * amended too: it is what Backing and the next flush read as "what BACKING holds", and its old content
 * is gone from disk anyway (docs/outside-changes.md says why this is the one rewrite of a version).
 */
final class OutsideTakeIn {
    private static final Logger log = LoggerFactory.getLogger(OutsideChanges.class);
    private static final int MAX_WARNINGS = 100;

    private final EngineState state;
    private final PublishedVersions versions;
    private final LayeredTree tree;
    private final BackingImport imports;
    /** OutsideChanges' directories found equal to their listing, which a take-in that finds nothing extends. */
    private final Map<Long, Identity> verifiedDirs;

    final long head;
    final long flushed;
    final long o;
    final State atO;
    final State atF;
    final ViewOperation flushedCtx;
    final Deque<Long> queue = new ArrayDeque<>();
    final Set<Long> seen = new HashSet<>();
    final Map<Long, Identity> dirIdentity = new HashMap<>();
    final Map<Long, Map<String, Object>> touchedDirs = new LinkedHashMap<>();
    final Set<Long> newNodes = new HashSet<>();
    final Set<Long> changedNodes = new LinkedHashSet<>();
    final Set<Long> removedDirs = new HashSet<>();
    final Set<ChangeSet.Entry> entries = new LinkedHashSet<>();
    final TreeSet<String> added = new TreeSet<>();
    final TreeSet<String> changed = new TreeSet<>();
    final TreeSet<String> removed = new TreeSet<>();
    final TreeSet<String> overridden = new TreeSet<>();
    long checked;

    OutsideTakeIn(EngineParts parts, Map<Long, Identity> verifiedDirs, long head, long flushed) {
        this.state = parts.state();
        this.versions = parts.versions();
        this.tree = parts.tree();
        this.imports = parts.imports();
        this.verifiedDirs = verifiedDirs;
        this.head = head;
        this.flushed = flushed;
        this.o = head + 1;
        this.atO = new State(head, o);
        this.atF = head > flushed ? new State(flushed, flushed) : null;
        this.flushedCtx = new ViewOperation(state.published, flushed);
    }

    boolean nothing() {
        return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }

    List<State> states() {
        return atF == null ? List.of(atO) : List.of(atF, atO);
    }

    void compareAll() {
        while (!queue.isEmpty()) {
            long d = queue.poll();
            if (seen.add(d)) compare(d);
        }
    }

    void rememberVerified() {
        verifiedDirs.putAll(dirIdentity);
    }

    private String path(long dir, byte[] name) {
        String p = tree.pathOf(flushedCtx, dir);
        String n = NameRules.utf8(name);
        return p == null ? "?/" + n : "/" + (p.isEmpty() ? n : p + "/" + n);
    }

    private void compare(long d) {
        NodeRecord rd = versions.node(d, flushed);
        if (rd == null || !rd.isDir() || (rd.nlink == 0 && d != EngineConstants.ROOT) || !rd.backedDir) return;
        if (state.store.get(ColumnFamily.IMPORTED, Bytes.longs(d)) == null) return;
        String rel = imports.backingPath(d);
        if (rel == null) return;
        Map<String, Map<String, Object>> disk = new TreeMap<>();
        Map<String, Object> dirAttrs;
        // listed through a descriptor opened beneath BACKING: a directory swapped for a symlink is not followed
        try (BackingDir.Entry dir = state.backing.dir(rel)) {
            dirAttrs = Backing.lstat(dir.path);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.path)) {
                for (Path p : ds) {
                    String name = Backing.raw(RawPaths.fileName(p));
                    if (d == EngineConstants.ROOT && (name.equals(".txfs") || name.equals(EngineConstants.STAGING)))
                        continue;
                    try {
                        disk.put(name, Backing.lstat(p));
                    } catch (NoSuchFileException raced) {
                        // removed while listed: absent
                    }
                }
            }
        } catch (NoSuchFileException | NotDirectoryException | BackingSymlinkException dirGone) {
            // the directory itself was removed or replaced (by a symlink too): its parent's listing shows that
            if (d != EngineConstants.ROOT) for (EntryName l : rd.links) queue.add(l.parent());
            return;
        } catch (IOException ex) {
            throw new FsException(Errno.EIO, "list backing directory " + Backing.display(rel), ex);
        }
        checked++;
        boolean entriesChanged = false;
        for (var en : tree.entries(flushedCtx, d).entrySet()) {
            byte[] name = en.getKey();
            long child = en.getValue().child();
            Map<String, Object> a = disk.remove(Backing.raw(name));
            NodeRecord rc = versions.node(child, flushed);
            if (a == null) {
                removed(d, name, child, rc);
                entriesChanged = true;
                continue;
            }
            FileType type = FileType.fromMode((Integer) a.get("mode"));
            Identity di = Backing.identity(a);
            if (rc == null || rc.type != type || (rc.hasBase && (rc.bino != di.ino() || rc.bdev != di.dev()))) {
                removed(d, name, child, rc);
                added(d, name, rel, a);
                entriesChanged = true;
            } else if (type != FileType.DIRECTORY
                    && rc.hasBase
                    && !rc.identity().matchesDisk(di)) {
                changed(child, d, name, rel, a);
            }
        }
        for (var en : disk.entrySet()) {
            added(d, Backing.bytes(en.getKey()), rel, en.getValue());
            entriesChanged = true;
        }
        if (entriesChanged) touchedDirs.put(d, dirAttrs);
        dirIdentity.put(d, Backing.identity(dirAttrs));
    }

    private NodeRecord importRecord(String rel, List<EntryName> links, Map<String, Object> a) {
        try {
            return imports.importRecord(rel, links, a);
        } catch (IOException ex) {
            throw new FsException(Errno.EIO, "read backing " + Backing.display(rel) + ": " + ex.getMessage(), ex);
        }
    }

    private String childRel(String dirRel, byte[] name) {
        String n = Backing.raw(name);
        return dirRel.isEmpty() ? n : dirRel + "/" + n;
    }

    private void changed(long id, long d, byte[] name, String dirRel, Map<String, Object> a) {
        if (!changedNodes.add(id)) return; // a second name of the same file
        String rel = childRel(dirRel, name);
        NodeRecord fresh = importRecord(rel, List.of(), a);
        Identity ident = Backing.identity(a).withGen(o); // new content, whatever inode, size and mtime say
        String p = path(d, name);
        changed.add(p);
        for (State s : states()) {
            NodeRecord r = s.node(id);
            if (r == null) continue;
            if (s == atO && r.nlink == 0) {
                // removed by a publish not flushed yet: that removal stands, the flush will delete the file
                log.warn(
                        "backing file {} changed outside txfs, but a publish not yet flushed removed it;"
                                + " the next flush deletes it",
                        p);
                continue;
            }
            if (s == atO
                    && atF != null
                    && newestVersion(ColumnFamily.NODE, Bytes.longs(id), Keys.node(id, head)) > flushed) {
                overridden.add(p);
            }
            s.nodes.put(id, withDiskContent(r, fresh, ident));
        }
    }

    /** r with the content and attributes BACKING now holds; its names stay. */
    private NodeRecord withDiskContent(NodeRecord r, NodeRecord fresh, Identity ident) {
        NodeRecord n = fresh.copy();
        n.links = new ArrayList<>(r.links);
        n.nlink = r.nlink;
        n.bornLayer = r.bornLayer;
        n.setIdentity(ident);
        n.baseValid = n.type == FileType.REGULAR ? ident.size() : 0;
        // xattrs other than user.* live only in the store (the backing directory never holds them)
        for (var x : r.xattrs.entrySet()) if (!x.getKey().startsWith("user.")) n.xattrs.put(x.getKey(), x.getValue());
        return n;
    }

    private void added(long d, byte[] name, String dirRel, Map<String, Object> a) {
        String rel = childRel(dirRel, name);
        long id = state.ids.next();
        NodeRecord r = importRecord(rel, List.of(new EntryName(d, name)), a);
        // one node per name: hard links made outside are taken in as separate files (docs/outside-changes.md)
        r.nlink = 1;
        r.setIdentity(Backing.identity(a).withGen(o));
        newNodes.add(id);
        String p = path(d, name);
        added.add(p);
        EntryName l = new EntryName(d, name);
        entries.add(new ChangeSet.Entry(d, name));
        for (State s : states()) {
            long had = s.child(d, name);
            if (had != 0) {
                // a publish not flushed yet put another file here: the outside change is the newer fact
                s.detach(had, d, name);
                if (s == atO) {
                    overridden.add(p);
                    changedNodes.add(had);
                }
            }
            s.nodes.put(id, r.copy());
            s.dents.put(l, new EntryValue(id, r.type));
        }
    }

    private void removed(long d, byte[] name, long child, NodeRecord rc) {
        Deque<Object[]> todo = new ArrayDeque<>();
        todo.push(new Object[] {d, name, child, rc});
        while (!todo.isEmpty()) {
            Object[] x = todo.pop();
            long dir = (Long) x[0];
            byte[] n = (byte[]) x[1];
            long c = (Long) x[2];
            NodeRecord r = (NodeRecord) x[3];
            removed.add(path(dir, n));
            entries.add(new ChangeSet.Entry(dir, n));
            changedNodes.add(c);
            for (State s : states()) {
                // a publish not flushed yet may have put another file there already: that one stays
                if (s.child(dir, n) != c) continue;
                s.dents.put(new EntryName(dir, n), EntryValue.DELETED);
                s.detach(c, dir, n);
            }
            if (r != null && r.isDir()) {
                removedDirs.add(c);
                seen.add(c); // nothing of it is left to compare
                if (state.store.get(ColumnFamily.IMPORTED, Bytes.longs(c)) != null) {
                    for (var en : tree.entries(flushedCtx, c).entrySet()) {
                        long cc = en.getValue().child();
                        todo.push(new Object[] {c, en.getKey(), cc, versions.node(cc, flushed)});
                    }
                }
            }
        }
    }

    /** The newest version of a node or entry key at or below the seek key's version (-1: none). */
    private long newestVersion(ColumnFamily cf, byte[] prefix, byte[] seek) {
        try (KvIterator it = state.store.scan(cf, seek, prefix)) {
            if (!it.valid()) return -1;
            byte[] k = it.key();
            return Keys.inv(Bytes.getLong(k, k.length - 8));
        }
    }

    /** The batch: records at o (and amended at flushed), change log, conflict keys, marks, log, head. */
    ChangeSet write() {
        stampTouchedDirs();
        Batch b = new Batch();
        Map<Long, byte[]> written = new LinkedHashMap<>();
        Set<Long> invalidNodes = writeAtO(b, written);
        Set<Long> entryParents = writeConflictKeys(b);
        if (atF != null) writeAtFlushed(b);
        Set<Long> marked = new HashSet<>(invalidNodes);
        SubtreeVersions.mark(
                new SubtreeVersions.Ancestors(versions, state.head()), b, o, written, marked, entryParents);
        long paths = added.size() + changed.size() + removed.size();
        b.put(
                ColumnFamily.LOG,
                Bytes.longs(o),
                LogCodec.encode("outside", OutsideChanges.WRITER, state.clock.nowNanos(), paths, 0));
        b.put(ColumnFamily.META, Keys.meta("head"), Bytes.longs(o));
        // with nothing waiting for a flush, BACKING now holds exactly version o
        if (atF == null) b.put(ColumnFamily.META, Keys.meta("flushed"), Bytes.longs(o));
        state.faults.reached(FaultPoint.OUTSIDE_BEFORE_BATCH);
        state.store.write(b, true);
        state.faults.reached(FaultPoint.OUTSIDE_AFTER_BATCH);
        state.head(o);
        if (atF == null) state.flushed(o);
        else versions.cache.clear();
        state.dirLinks.changed();
        state.backing.closeAll();
        rememberVerified();
        report();
        invalidNodes.addAll(touchedDirs.keySet());
        return new ChangeSet(invalidNodes, new HashSet<>(entries));
    }

    /** Directories whose listing changed get the times and identity the disk has now. */
    private void stampTouchedDirs() {
        for (var td : touchedDirs.entrySet()) {
            Map<String, Object> a = td.getValue();
            for (State s : states()) {
                NodeRecord r = s.node(td.getKey());
                if (r == null) continue;
                r.mtime = Backing.ns(a.get("lastModifiedTime"));
                r.ctime = Backing.ns(a.get("ctime"));
                r.setIdentity(Backing.identity(a));
            }
        }
    }

    /** Records and entries at version o, and their change-log entries; returns the nodes others may have cached. */
    private Set<Long> writeAtO(Batch b, Map<Long, byte[]> written) {
        int seq = 0;
        Set<Long> invalidNodes = new LinkedHashSet<>();
        for (var en : atO.nodes.entrySet()) {
            if (en.getValue() == null) continue;
            byte[] enc = en.getValue().encode();
            written.put(en.getKey(), enc);
            b.put(ColumnFamily.NODE, Keys.node(en.getKey(), o), enc);
            if (!newNodes.contains(en.getKey())) {
                b.put(
                        ColumnFamily.CHANGE,
                        Keys.change(o, seq++),
                        Bytes.concat(new byte[] {1, 'N'}, Bytes.longs(en.getKey())));
                invalidNodes.add(en.getKey());
            }
        }
        for (var en : atO.dents.entrySet()) {
            EntryName l = en.getKey();
            b.put(
                    ColumnFamily.DENT,
                    Keys.dent(l.parent(), l.name(), o),
                    en.getValue().encode());
            b.put(
                    ColumnFamily.CHANGE,
                    Keys.change(o, seq++),
                    Bytes.concat(new byte[] {1, 'E'}, Bytes.longs(l.parent()), l.name()));
        }
        return invalidNodes;
    }

    /** The conflict keys of version o (a view that changed the same paths conflicts); returns the entries' parents. */
    private Set<Long> writeConflictKeys(Batch b) {
        Set<ByteBuffer> keys = new LinkedHashSet<>();
        for (long id : changedNodes) {
            if (!newNodes.contains(id)) keys.add(ByteBuffer.wrap(Keys.conflictKey('N', id)));
        }
        for (long id : removedDirs) keys.add(ByteBuffer.wrap(Keys.conflictKey('R', id)));
        Set<Long> entryParents = new HashSet<>();
        for (ChangeSet.Entry en : entries) {
            entryParents.add(en.parent());
            keys.add(ByteBuffer.wrap(Keys.conflictKeyE(en.parent(), en.name())));
            keys.add(ByteBuffer.wrap(Keys.conflictKey('C', en.parent())));
        }
        for (ByteBuffer k : keys) b.put(ColumnFamily.CONFLICT, Bytes.concat(Bytes.longs(o), k.array()), new byte[] {1});
        return entryParents;
    }

    /** Version flushed amended: it is what BACKING holds (see the class comment). */
    private void writeAtFlushed(Batch b) {
        for (var en : atF.nodes.entrySet()) {
            if (en.getValue() != null)
                b.put(
                        ColumnFamily.NODE,
                        Keys.node(en.getKey(), flushed),
                        en.getValue().encode());
        }
        for (var en : atF.dents.entrySet()) {
            EntryName l = en.getKey();
            b.put(
                    ColumnFamily.DENT,
                    Keys.dent(l.parent(), l.name(), flushed),
                    en.getValue().encode());
        }
    }

    private void report() {
        warn(added, "added");
        warn(changed, "changed");
        warn(removed, "removed");
        for (String p : overridden) {
            log.warn(
                    "conflict: the outside change to {} overrides a published change not yet flushed"
                            + " (the backing directory holds the newer fact)",
                    p);
        }
    }

    /**
     * One warning per path, as many as {@link #MAX_WARNINGS} per kind and take-in: a checkout made in
     * BACKING must not flood the log; the rest are counted (txfs rescan lists every path).
     */
    private void warn(Set<String> paths, String kind) {
        int n = 0;
        for (String p : paths) {
            if (n++ == MAX_WARNINGS) {
                log.warn(
                        "backing directory changed outside txfs: {} more paths were {} (taken in as version {})",
                        paths.size() - MAX_WARNINGS,
                        kind,
                        o);
                return;
            }
            log.warn("backing directory changed outside txfs: {} was {} (taken in as version {})", p, kind, o);
        }
    }

    RescanResult result() {
        return new RescanResult(
                o,
                checked,
                new ArrayList<>(added),
                new ArrayList<>(changed),
                new ArrayList<>(removed),
                new ArrayList<>(overridden));
    }

    /** One published state being changed: read at {@code readAt}, written at {@code writeAt}. */
    private final class State {
        final long readAt;
        final long writeAt;
        final Map<Long, NodeRecord> nodes = new LinkedHashMap<>();
        final Map<EntryName, EntryValue> dents = new LinkedHashMap<>();

        State(long readAt, long writeAt) {
            this.readAt = readAt;
            this.writeAt = writeAt;
        }

        NodeRecord node(long id) {
            if (nodes.containsKey(id)) return nodes.get(id);
            NodeRecord r = versions.node(id, readAt);
            nodes.put(id, r);
            return r;
        }

        long child(long parent, byte[] name) {
            EntryValue d = dents.get(new EntryName(parent, name));
            return d != null ? d.child() : versions.dent(parent, name, readAt).child();
        }

        /**
         * Removes name (parent, name) from node id. The base identity stays: with no backing path left,
         * a reader still holding the node gets ESTALE for it (Backing), never zeros in place of content.
         */
        void detach(long id, long parent, byte[] name) {
            NodeRecord r = node(id);
            if (r == null || !r.links.remove(new EntryName(parent, name))) return;
            r.nlink = r.isDir() ? 0 : Math.max(0, r.nlink - 1);
        }
    }
}
