package io.txfs.core.publish;

import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.FileType;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.ViewOperation;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code publish --merge bytes} (docs/publish-force.md, "Merging byte ranges"): a file both this view and a
 * publish since its base changed is no conflict when they changed different 64 KiB chunks of it. Both
 * changes are then chains of layers on the same older record — the publish's layers and the view's own — and
 * the merged record names both (the view's first; they hold different chunks). Merged only when nothing
 * else differs: the file keeps its size on all three sides, nothing truncated it, no flush rewrote it in
 * between (its chain and backing identity are the older record's), and at most one side changed its mode,
 * owner, xattrs or names. Anything else stays a conflict.
 */
final class ByteRangeMerge {
    private final EngineState state;
    private final PublishedVersions versions;
    private final Map<Long, byte[]> merged = new HashMap<>();

    ByteRangeMerge(EngineParts parts) {
        this.state = parts.state();
        this.versions = parts.versions();
    }

    /** The merged records, by node: they replace the view's own in the publish. */
    Map<Long, byte[]> merged() {
        return merged;
    }

    /**
     * Whether node {@code id}, which the view changed on the record of version {@code base} and a publish
     * changed since, merges chunk by chunk; if so its merged record is kept for {@link #merged}.
     */
    boolean tryMerge(ViewOperation c, long id, long base) {
        byte[] pending = state.store.get(ColumnFamily.P_NODE, io.txfs.core.format.Keys.pNode(c.view.id, id));
        NodeRecord was = versions.node(id, base);
        NodeRecord head = versions.node(id, state.head());
        if (pending == null || was == null || head == null) return false;
        NodeRecord mine = NodeRecord.decode(pending);
        for (NodeRecord r : new NodeRecord[] {was, head, mine}) {
            if (r.type != FileType.REGULAR || r.nlink == 0 || r.size != was.size) return false;
            if (r.hasBase != was.hasBase || r.baseValid != was.baseValid) return false;
            if (r.hasBase && !r.identity().equals(was.identity())) return false; // a flush rewrote it
        }
        long[] theirs = addedLayers(head, was);
        long[] ours = addedLayers(mine, was);
        if (theirs == null || ours == null) return false;
        for (long l : ours) if (!c.view.ownsLayer(l)) return false;
        if (!untruncated(head, theirs.length, was.size) || !untruncated(mine, ours.length, was.size)) return false;
        boolean theirMeta = !sameMetadata(was, head);
        boolean ourMeta = !sameMetadata(was, mine);
        if (theirMeta && ourMeta && !sameMetadata(head, mine)) return false;
        Set<Long> theirChunks = chunks(id, theirs);
        for (long k : chunks(id, ours)) if (theirChunks.contains(k)) return false;
        NodeRecord out = (ourMeta || !theirMeta ? mine : head).copy();
        int n = ours.length + theirs.length;
        out.chainLayer = new long[n + was.chainLayer.length];
        out.chainValid = new long[n + was.chainLayer.length];
        System.arraycopy(mine.chainLayer, 0, out.chainLayer, 0, ours.length);
        System.arraycopy(mine.chainValid, 0, out.chainValid, 0, ours.length);
        System.arraycopy(head.chainLayer, 0, out.chainLayer, ours.length, theirs.length);
        System.arraycopy(head.chainValid, 0, out.chainValid, ours.length, theirs.length);
        System.arraycopy(was.chainLayer, 0, out.chainLayer, n, was.chainLayer.length);
        System.arraycopy(was.chainValid, 0, out.chainValid, n, was.chainLayer.length);
        out.mtime = Math.max(mine.mtime, head.mtime);
        out.ctime = Math.max(mine.ctime, head.ctime);
        merged.put(id, out.encode());
        return true;
    }

    /** The layers {@code r}'s chain has before {@code was}'s whole chain, or null when it does not end with it. */
    private static long[] addedLayers(NodeRecord r, NodeRecord was) {
        int extra = r.chainLayer.length - was.chainLayer.length;
        if (extra < 0) return null;
        for (int i = 0; i < was.chainLayer.length; i++) {
            if (r.chainLayer[extra + i] != was.chainLayer[i] || r.chainValid[extra + i] != was.chainValid[i])
                return null;
        }
        return Arrays.copyOf(r.chainLayer, extra);
    }

    /** Whether none of the first {@code n} chain entries was cut below the file's size (a truncate and regrowth). */
    private static boolean untruncated(NodeRecord r, int n, long size) {
        for (int i = 0; i < n; i++) if (r.chainValid[i] < size) return false;
        return true;
    }

    private static boolean sameMetadata(NodeRecord a, NodeRecord b) {
        if (a.perm != b.perm || a.uid != b.uid || a.gid != b.gid) return false;
        if (!Objects.equals(a.links, b.links)) return false;
        if (!a.xattrs.keySet().equals(b.xattrs.keySet())) return false;
        for (var x : a.xattrs.entrySet()) if (!Arrays.equals(x.getValue(), b.xattrs.get(x.getKey()))) return false;
        return true;
    }

    /** The chunk indices node {@code id} has stored in any of {@code layers}. */
    private Set<Long> chunks(long id, long[] layers) {
        Set<Long> wanted = new HashSet<>();
        for (long l : layers) wanted.add(l);
        Set<Long> out = new HashSet<>();
        try (KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(id))) {
            for (; it.valid(); it.next()) {
                if (wanted.contains(Bytes.getLong(it.key(), 16))) out.add(Bytes.getLong(it.key(), 8));
            }
        }
        return out;
    }
}
