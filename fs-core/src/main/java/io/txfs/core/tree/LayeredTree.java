package io.txfs.core.tree;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.Store;
import io.txfs.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * The tree one operation of a view sees: its own changes ({@link ViewOperation}) over its committed
 * pending records ({@link PendingCache}, the P_ column families) over the published tree at the
 * operation's version ({@link PublishedVersions}); and the registration of what the operation changes,
 * with the conflict keys a publish checks (docs/engine.md).
 */
public final class LayeredTree {
    private final EngineState state;
    private final Store store;
    private final PublishedVersions versions;
    private final BackingImport imports;

    public LayeredTree(EngineState state, PublishedVersions versions, BackingImport imports) {
        this.state = state;
        this.store = state.store;
        this.versions = versions;
        this.imports = imports;
    }

    public ViewOperation readCtx(View v) {
        return new ViewOperation(v, v.isolation == Isolation.READ_COMMITTED ? state.head() : v.snapshot);
    }

    public NodeRecord node(ViewOperation c, long id) {
        NodeRecord d = c.nodes.get(id);
        if (d != null) return d;
        if (c.view.id != 0) {
            PendingCache pc = c.view.pending;
            byte[] b = pc == null ? null : pc.node(id);
            if (b == null) {
                b = store.get(ColumnFamily.P_NODE, Keys.pNode(c.view.id, id));
                if (pc != null) pc.putNode(id, b == null ? PendingCache.NONE : b);
            }
            if (b != null && b != PendingCache.NONE) return NodeRecord.decode(b);
        }
        return versions.node(id, c.snap);
    }

    /** A record of node id this operation may change (registered for the commit batch). */
    public NodeRecord mutable(ViewOperation c, long id) {
        NodeRecord d = c.nodes.get(id);
        if (d != null) return d;
        NodeRecord r = node(c, id);
        if (r == null) throw new FsException(Errno.ENOENT, "no node " + id);
        c.nodes.put(id, r);
        return r;
    }

    public EntryValue dent(ViewOperation c, long parent, byte[] name) {
        EntryValue d = c.dents.get(new EntryName(parent, name));
        if (d != null) return d;
        if (c.view.id != 0) {
            PendingCache pc = c.view.pending;
            d = pc == null ? null : pc.dent(parent, name);
            if (d == null) {
                byte[] b = store.get(ColumnFamily.P_DENT, Keys.pDent(c.view.id, parent, name));
                d = b == null ? PendingCache.NO_DENT : EntryValue.decode(b);
                if (pc != null) pc.putDent(new EntryName(parent, name.clone()), d);
            }
            if (d != PendingCache.NO_DENT) return d;
        }
        return versions.dent(parent, name, c.snap);
    }

    /** A live directory node or ENOENT/ENOTDIR; imports its backing listing on first use. */
    public NodeRecord dir(ViewOperation c, long id) {
        NodeRecord r = node(c, id);
        if (r == null || (r.nlink == 0 && id != EngineConstants.ROOT))
            throw new FsException(Errno.ENOENT, "no directory " + id);
        if (!r.isDir()) throw new FsException(Errno.ENOTDIR, "node " + id + " is not a directory");
        imports.ensureImported(id, r);
        return r;
    }

    public NodeRecord live(ViewOperation c, long id) {
        NodeRecord r = node(c, id);
        if (r == null) throw new FsException(Errno.ENOENT, "no node " + id);
        return r;
    }

    public long child(ViewOperation c, long parent, byte[] name) {
        return dent(c, parent, name).child();
    }

    /** Sorted by name bytes; pending entries over the published ones at the view's version. */
    /** Older versions of one name stepped over before {@link #entries} seeks past the rest (a seek costs a few steps). */
    private static final int DENT_SKIP_BEFORE_SEEK = 8;

    public TreeMap<byte[], EntryValue> entries(ViewOperation c, long dirId) {
        TreeMap<byte[], EntryValue> out = new TreeMap<>(Arrays::compareUnsigned);
        try (KvIterator it = store.scan(ColumnFamily.DENT, Bytes.longs(dirId))) {
            byte[] lastName = null;
            int skipped = 0;
            while (it.valid()) {
                byte[] k = it.key();
                byte[] name = Arrays.copyOfRange(k, 8, k.length - 9);
                long version = Keys.inv(Bytes.getLong(k, k.length - 8));
                if (version <= c.snap && (lastName == null || !Arrays.equals(lastName, name))) {
                    lastName = name;
                    out.put(name, EntryValue.decode(it.value()));
                    skipped = 0;
                } else if (lastName != null && Arrays.equals(lastName, name) && ++skipped >= DENT_SKIP_BEFORE_SEEK) {
                    // a name changed by many publishes (the shared default's groups): jump past its older
                    // versions instead of stepping through each, so a listing costs its names, not its history
                    it.seek(Keys.afterVersions(dirId, name));
                    skipped = 0;
                    continue;
                }
                it.next();
            }
        }
        if (c.view.id != 0) {
            try (KvIterator it = store.scan(ColumnFamily.P_DENT, Bytes.longs(c.view.id, dirId))) {
                for (; it.valid(); it.next()) {
                    byte[] k = it.key();
                    out.put(Arrays.copyOfRange(k, 16, k.length), EntryValue.decode(it.value()));
                }
            }
        }
        for (var e : c.dents.entrySet())
            if (e.getKey().parent() == dirId) out.put(e.getKey().name(), e.getValue());
        out.values().removeIf(d -> d.child() == 0);
        return out;
    }

    public void key(ViewOperation c, byte[] k) {
        if (c.view.id == 0) return;
        ByteBuffer kb = ByteBuffer.wrap(k);
        if (!c.keys.add(kb) || (c.view.pending != null && c.view.pending.hasKey(kb))) return;
        byte[] pk = Keys.pKey(c.view.id, k);
        if (store.get(ColumnFamily.P_KEY, pk) == null) c.batch.put(ColumnFamily.P_KEY, pk, Bytes.longs(c.snap));
    }

    /** A node changed: nobody else can know a node this view created, so those need no conflict key. */
    public void keyNode(ViewOperation c, long id, NodeRecord r) {
        if (r.bornLayer == c.layer ? r.bornLayer != 0 : c.view.ownsLayer(r.bornLayer)) return;
        key(c, Keys.conflictKey('N', id));
    }

    public void keyEntry(ViewOperation c, long parent, byte[] name) {
        key(c, Keys.conflictKeyE(parent, name));
        key(c, Keys.conflictKey('C', parent));
    }

    public void putDent(ViewOperation c, long parent, byte[] name, long child, FileType type) {
        // only entries of directories change a directory's link count: renaming or removing files
        // keeps every cached count (a rename of a file used to drop them all, and recounting made
        // long runs of renames slow down as dead entries piled up)
        if (type == FileType.DIRECTORY) c.dirShapeChanged = true;
        c.dents.put(new EntryName(parent, name), child == 0 ? EntryValue.DELETED : new EntryValue(child, type));
    }

    public NodeAttributes attr(long id, NodeRecord r) {
        long size = switch (r.type) {
            case REGULAR -> r.size;
            case SYMLINK -> r.target.length;
            case DIRECTORY -> 4096;
            default -> 0;
        };
        return new NodeAttributes(id, r.type, r.perm, r.uid, r.gid, r.nlink, size, r.atime, r.mtime, r.ctime, r.rdev);
    }

    /** attr with a directory's link count as the view sees it (DirLinks). */
    public NodeAttributes attr(ViewOperation c, long id, NodeRecord r) {
        NodeAttributes a = attr(id, r);
        if (!r.isDir()) return a;
        return new NodeAttributes(
                id,
                a.type(),
                a.perm(),
                a.uid(),
                a.gid(),
                state.dirLinks.nlink(this, imports, c, id, r),
                a.size(),
                a.atimeNs(),
                a.mtimeNs(),
                a.ctimeNs(),
                a.rdev());
    }

    /** A path of node id in the view, for messages and deltas; null if unreachable. */
    public String pathOf(ViewOperation c, long id) {
        return pathOf(c, id, StandardCharsets.UTF_8);
    }

    /** pathOf as a raw backing path (Backing.raw: one char per name byte), for flush. */
    public String rawPathOf(ViewOperation c, long id) {
        return pathOf(c, id, StandardCharsets.ISO_8859_1);
    }

    private String pathOf(ViewOperation c, long id, Charset names) {
        if (id == EngineConstants.ROOT) return "";
        NodeRecord r = node(c, id);
        if (r == null || r.links.isEmpty()) return null;
        List<String> parts = new ArrayList<>();
        long cur = id;
        EntryName l = r.link();
        int guard = 0;
        while (cur != EngineConstants.ROOT) {
            if (l == null || guard++ > 4096) return null;
            parts.add(new String(l.name(), names));
            cur = l.parent();
            if (cur == EngineConstants.ROOT) break;
            NodeRecord pr = node(c, cur);
            if (pr == null || pr.nlink == 0) return null;
            l = pr.link();
        }
        Collections.reverse(parts);
        return String.join("/", parts);
    }
}
