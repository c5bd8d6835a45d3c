package io.txfs.core.transactions;

import io.txfs.core.backing.Backing;
import io.txfs.core.format.EntryName;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.ViewOperation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Enumerates a view's pending delta by path: changed entries (added, deleted, replaced, type changed),
 * then nodes changed in place; added or deleted directories are expanded to their contents.
 */
final class DeltaBuilder {
    private final EngineState state;
    private final LayeredTree tree;
    private final BackingImport imports;
    private final ViewOperation c;
    private final ViewOperation old;
    private final TreeMap<String, DeltaEntry> out = new TreeMap<>();

    DeltaBuilder(EngineParts parts, ViewOperation c) {
        this.state = parts.state();
        this.tree = parts.tree();
        this.imports = parts.imports();
        this.c = c;
        // a child's changes are told against its base, its parent's state at the fork
        this.old = new ViewOperation(c.view.isChild() ? c.view.baseHandle() : parts.state().published, c.snap);
    }

    List<DeltaEntry> build() {
        if (c.view.id == 0) return List.of();
        try (KvIterator it = state.store.scan(ColumnFamily.P_DENT, Bytes.longs(c.view.id))) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                long parent = Bytes.getLong(k, 8);
                byte[] name = Arrays.copyOfRange(k, 16, k.length);
                String dir = tree.rawPathOf(c, parent);
                if (dir == null) dir = tree.rawPathOf(old, parent);
                if (dir == null) continue;
                long oldId = tree.dent(old, parent, name).child();
                long newId = tree.rawPathOf(c, parent) == null ? 0 : tree.child(c, parent, name);
                add(join(dir, Backing.raw(name)), oldId, newId);
            }
        }
        try (KvIterator it = state.store.scan(ColumnFamily.P_NODE, Bytes.longs(c.view.id))) {
            for (; it.valid(); it.next()) {
                long id = Bytes.getLong(it.key(), 8);
                NodeRecord r = NodeRecord.decode(it.value());
                if (state.store.get(ColumnFamily.P_KEY, Keys.pKey(c.view.id, Keys.conflictKey('N', id))) == null)
                    continue;
                for (EntryName l : r.links) {
                    String dir = tree.rawPathOf(c, l.parent());
                    if (dir != null) add(join(dir, Backing.raw(l.name())), id, id);
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** Adds the change at {@code path}, a raw path (Backing.raw: one char per byte, so entries sort by bytes). */
    private void add(String path, long oldId, long newId) {
        if (out.containsKey(path) || (oldId == 0 && newId == 0)) return;
        NodeRecord o = oldId == 0 ? null : tree.node(old, oldId);
        NodeRecord n = newId == 0 ? null : tree.node(c, newId);
        DeltaEntry.Kind kind;
        if (o == null && n == null) return;
        if (o == null) kind = DeltaEntry.Kind.ADDED;
        else if (n == null) kind = DeltaEntry.Kind.DELETED;
        else if (o.type != n.type) kind = DeltaEntry.Kind.TYPE_CHANGED;
        else if (oldId != newId || contentDiffers(o, n)) kind = DeltaEntry.Kind.MODIFIED;
        else if (metaDiffers(o, n)) kind = DeltaEntry.Kind.METADATA;
        else return;
        out.put(
                path,
                new DeltaEntry(
                        new String(Backing.bytes(path), StandardCharsets.UTF_8),
                        kind,
                        o == null ? null : o.type,
                        n == null ? null : n.type,
                        o == null ? null : tree.attr(oldId, o).size(),
                        n == null ? null : tree.attr(newId, n).size(),
                        o == null ? null : o.perm,
                        n == null ? null : n.perm,
                        Backing.bytes(path)));
        if (kind == DeltaEntry.Kind.ADDED || kind == DeltaEntry.Kind.TYPE_CHANGED || kind == DeltaEntry.Kind.MODIFIED) {
            if (n.isDir() && oldId != newId) {
                imports.ensureImported(newId, n);
                for (var en : tree.entries(c, newId).entrySet())
                    add(join(path, Backing.raw(en.getKey())), 0, en.getValue().child());
            }
        }
        if (kind == DeltaEntry.Kind.DELETED
                || kind == DeltaEntry.Kind.TYPE_CHANGED
                || kind == DeltaEntry.Kind.MODIFIED) {
            if (o.isDir() && oldId != newId) {
                imports.ensureImported(oldId, o);
                for (var en : tree.entries(old, oldId).entrySet())
                    add(join(path, Backing.raw(en.getKey())), en.getValue().child(), 0);
            }
        }
    }

    private boolean contentDiffers(NodeRecord o, NodeRecord n) {
        return o.size != n.size
                || !Arrays.equals(o.target, n.target)
                || (n.chainLayer.length > 0 && c.view.ownsLayer(n.chainLayer[0]))
                || n.baseValid != o.baseValid;
    }

    private static boolean metaDiffers(NodeRecord o, NodeRecord n) {
        if (o.perm != n.perm || o.uid != n.uid || o.gid != n.gid || o.mtime != n.mtime) return true;
        if (!o.xattrs.keySet().equals(n.xattrs.keySet())) return true;
        for (var x : o.xattrs.entrySet()) if (!Arrays.equals(x.getValue(), n.xattrs.get(x.getKey()))) return true;
        return false;
    }
}
