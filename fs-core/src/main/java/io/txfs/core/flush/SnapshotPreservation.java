package io.txfs.core.flush;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.collection.Collector;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.format.PreservedMarker;
import io.txfs.core.model.BackingChangedException;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.Identity;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Batch;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * The old content a flush replaces, kept for those who still read it: snapshot views, pinned handles, and
 * views whose pending records name the file. It is copied into the store keyed by the file's identity
 * (PRESERVED) before the backing file changes (docs/storage-format.md, "Preserved copies").
 */
final class SnapshotPreservation {
    private static final int C = EngineConstants.CHUNK;

    private final EngineState state;
    private final PublishedVersions versions;
    private final LayeredTree tree;
    private final Collector collector;
    private final FlushWriter writer;

    SnapshotPreservation(EngineParts parts, Collector collector, FlushWriter writer) {
        this.state = parts.state();
        this.versions = parts.versions();
        this.tree = parts.tree();
        this.collector = collector;
        this.writer = writer;
    }

    boolean snapshotsNeedOld(long head) {
        for (View v : state.views.values()) if (v.isolation == Isolation.SNAPSHOT && v.snapshot < head) return true;
        return collector.oldestPin() < head; // pinned handles read their version like snapshots
    }

    boolean pendingRefers(long id) {
        for (long holder : state.pendingHolders())
            if (state.store.get(ColumnFamily.P_NODE, Keys.pNode(holder, id)) != null) return true;
        return false;
    }

    void verifyUnchanged(ViewOperation old, long id) throws IOException {
        NodeRecord r0 = versions.node(id, old.snap);
        String p = tree.rawPathOf(old, id);
        if (r0 == null || !r0.hasBase || p == null) return;
        Identity have;
        try (BackingDir.Entry en = writer.entry(p)) {
            have = Backing.identity(Backing.lstat(en.path));
        } catch (NoSuchFileException gone) {
            throw new BackingChangedException(id, Backing.display(p), "removed");
        }
        if (!r0.identity().matchesDisk(have)) {
            // Engine.flush takes the change in and flushes again: the file must not be replaced unseen
            throw new BackingChangedException(id, Backing.display(p), have + " != " + r0.identity());
        }
    }

    /**
     * Copies old backing content of node id into the store, keyed by its identity: every chunk when the
     * file goes (only == null), else only the chunks in {@code only}, those the flush overwrites, as a
     * partial copy whose successor the completion batch names (nameSuccessor; PreservedMarker).
     */
    void preserve(ViewOperation old, long id, Set<Long> done, Set<Long> only) throws IOException {
        NodeRecord r0 = versions.node(id, old.snap);
        String p = tree.rawPathOf(old, id);
        if (r0 == null || !r0.hasBase || p == null || r0.type != FileType.REGULAR) return;
        Identity ident = r0.identity();
        done.add(id);
        byte[] m = state.store.get(ColumnFamily.PRESERVED, Keys.preserved(ident, -1));
        PreservedMarker was = m == null ? null : PreservedMarker.decode(m);
        if (was != null && was.isComplete()) return;
        // a copy left by a refused flush (or one named while this content was last on disk) holds this
        // same content: its chunks stay and are counted
        long bytes = was == null || was.bytes() < 0 ? 0 : was.bytes();
        try (BackingDir.Entry en = writer.entry(p);
                FileChannel ch = FileChannel.open(en.path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            Batch b = new Batch();
            Iterable<Long> chunks = only != null
                    ? only
                    : () -> LongStream.range(0, (ident.size() + C - 1) / C).iterator();
            if (only == null) bytes = 0;
            for (long k : chunks) {
                byte[] key = Keys.preserved(ident, k);
                if (only != null) {
                    byte[] had = state.store.get(ColumnFamily.PRESERVED, key);
                    if (had != null) bytes -= had.length - 1;
                }
                ByteBuffer buf = ByteBuffer.allocate(1 + (int) Math.min(C, ident.size() - k * C));
                buf.put((byte) 1);
                long pos = k * C;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos);
                    if (n < 0) break;
                    pos += n;
                }
                b.put(ColumnFamily.PRESERVED, key, buf.array());
                bytes += buf.capacity() - 1;
                if (b.size() >= 64) {
                    state.store.write(b, false);
                    b = new Batch();
                }
            }
            PreservedMarker marker =
                    only == null ? PreservedMarker.complete(id, bytes) : PreservedMarker.staged(id, bytes);
            b.put(ColumnFamily.PRESERVED, Keys.preserved(ident, -1), marker.encode());
            state.store.write(b, false);
        }
    }

    /**
     * In the completion batch: the partial copy of node id's old content (staged by preserve) gets the
     * identity the file now has as its successor. Derived from the store, so a rerun after a crash does
     * the same. A stale successor link of the identity now on disk (its content came back: a restored
     * mtime) goes; its chunks, the same bytes as the disk's, stay for the collector.
     */
    static void nameSuccessor(EngineState state, PublishedVersions versions, Batch b, long id, Identity now) {
        NodeRecord was = versions.node(id, state.flushed());
        if (was == null || !was.hasBase || was.type != FileType.REGULAR) return;
        Identity before = was.identity();
        if (before.equals(now)) return;
        byte[] m = state.store.get(ColumnFamily.PRESERVED, Keys.preserved(before, -1));
        if (m != null) {
            PreservedMarker pm = PreservedMarker.decode(m);
            if (pm.kind() == PreservedMarker.STAGED)
                b.put(
                        ColumnFamily.PRESERVED,
                        Keys.preserved(before, -1),
                        pm.withSuccessor(now).encode());
        }
        byte[] mine = state.store.get(ColumnFamily.PRESERVED, Keys.preserved(now, -1));
        if (mine != null && !PreservedMarker.decode(mine).isComplete())
            b.delete(ColumnFamily.PRESERVED, Keys.preserved(now, -1));
    }
}
