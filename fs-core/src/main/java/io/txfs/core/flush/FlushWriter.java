package io.txfs.core.flush;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.backing.BackingMeta;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.Identity;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.Content;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.PublishedVersions;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a flush or its recovery writes into the backing directory: objects staged from the published
 * records and chunks, files patched in place, metadata, directory fsyncs, the staging area's removal.
 * Every path is reached beneath BACKING through directory descriptors (BackingDir), from a cache that
 * lives as long as this writer: one flush or one recovery.
 */
final class FlushWriter implements AutoCloseable {
    private static final int C = EngineConstants.CHUNK;
    /** Paths in the flush's staging area start with this. */
    static final String STAGED = EngineConstants.STAGING + "/";

    private final EngineState state;
    private final PublishedVersions versions;
    private final BackingMeta meta;
    /** Directory descriptors kept while the flush or recovery runs. */
    private final BackingDir.Cache dirs;

    FlushWriter(EngineState state, PublishedVersions versions, BackingMeta meta) {
        this.state = state;
        this.versions = versions;
        this.meta = meta;
        this.dirs = state.backing.dir.cache();
    }

    @Override
    public void close() {
        dirs.close();
    }

    /** The object at raw backing path rel, its directory from this flush's cache. */
    BackingDir.Entry entry(String rel) throws IOException {
        return dirs.entry(rel);
    }

    /** rel was renamed or deleted: a directory descriptor cached under its path names something else now. */
    void forget(String rel) {
        dirs.forget(rel);
    }

    /** The object at raw backing path rel; "" is the root directory itself. */
    BackingDir.Entry at(String rel) throws IOException {
        return rel.isEmpty() ? state.backing.dir(rel) : entry(rel);
    }

    /** The chunks of node id's chain that a patch writes over the backing file (below the record's size). */
    private TreeSet<Long> chainChunks(long id, NodeRecord r) {
        Set<Long> chain = new HashSet<>();
        for (long l : r.chainLayer) chain.add(l);
        TreeSet<Long> indexes = new TreeSet<>();
        try (KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(id))) {
            for (; it.valid(); it.next()) {
                long k = Bytes.getLong(it.key(), 8);
                if (chain.contains(Bytes.getLong(it.key(), 16)) && k * C < r.size) indexes.add(k);
            }
        }
        return indexes;
    }

    /**
     * The chunks of the old content {@code before} whose bytes a patch to record r changes on disk: those
     * the chain writes and those from the truncate to {@code baseValid} on (cut, then zeros or chunks).
     */
    TreeSet<Long> overwrittenChunks(long id, NodeRecord r, Identity before) {
        TreeSet<Long> ks = chainChunks(id, r);
        ks.removeIf(k -> k * C >= before.size());
        if (r.baseValid < before.size()) for (long k = r.baseValid / C; k * C < before.size(); k++) ks.add(k);
        return ks;
    }

    /** Rewrites the chunks the record holds over the file's own bytes; idempotent. */
    void patch(FlushPlan.Step s, long head, BackingDir.Entry en) throws IOException {
        Long ino = inoOf(en.path);
        if (ino == null || ino != s.ino()) return; // already patched and moved on by an earlier run
        NodeRecord r = versions.node(s.node(), head);
        TreeSet<Long> indexes = chainChunks(s.node(), r);
        try (FileChannel ch = FileChannel.open(en.path, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (r.baseValid < ch.size()) ch.truncate(r.baseValid);
            for (long k : indexes) {
                byte[] data = Content.chunk(state, s.node(), r, k);
                int want = (int) Math.min(C, r.size - k * C);
                ByteBuffer buf = ByteBuffer.allocate(want);
                buf.put(data, 0, Math.min(data.length, want));
                buf.flip();
                long pos = k * C;
                while (buf.hasRemaining()) pos += ch.write(buf, pos);
            }
            setLength(ch, en, r.size);
            ch.force(true);
        }
    }

    /**
     * ftruncate to n. Growing needs ftruncate(2) on a descriptor of our own (FileChannel only shrinks),
     * opened O_NOFOLLOW | O_NONBLOCK: truncate(2) by path would follow a symlink put at the name meanwhile.
     */
    private static void setLength(FileChannel ch, BackingDir.Entry en, long n) throws IOException {
        if (n < ch.size()) {
            ch.truncate(n);
        } else if (n > ch.size()) {
            LibC libc = LibC.INSTANCE;
            int fd = libc.open(en.cPath, Sys.O_WRONLY | Sys.O_NOFOLLOW | Sys.O_NONBLOCK | Sys.O_CLOEXEC, 0);
            if (fd < 0) throw PathCalls.error("open", en.cPath);
            try {
                if (libc.ftruncate(fd, n) != 0) throw PathCalls.error("ftruncate", en.cPath);
            } finally {
                libc.close(fd);
            }
        }
    }

    static FileChannel create(Path p) throws IOException {
        return FileChannel.open(
                p,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW,
                LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates the object of node id at raw backing path rel (in the staging directory). */
    long stage(long id, NodeRecord r, BackingDir.Entry en) throws IOException {
        long bytes = 0;
        Path p = en.path;
        switch (r.type) {
            case DIRECTORY -> Files.createDirectory(p);
            case SYMLINK -> {
                // exact target bytes: java.nio would decode them and normalize "a//b/"
                byte[] c = en.cPath;
                if (LibC.INSTANCE.symlink(RawPaths.cString(r.target), c) != 0) throw PathCalls.error("symlink", c);
            }
            case REGULAR -> {
                if (!r.hasBase) return stageFromChunks(id, r, en);
                try (FileChannel ch = create(p)) {
                    for (long k = 0; k * C < r.size; k++) {
                        byte[] data = Content.chunk(state, id, r, k);
                        if (data.length == 0) continue;
                        ByteBuffer buf = ByteBuffer.wrap(data, 0, (int) Math.min(data.length, r.size - k * C));
                        long pos = k * C;
                        while (buf.hasRemaining()) pos += ch.write(buf, pos);
                        bytes += data.length;
                    }
                    setLength(ch, en, r.size);
                    ch.force(true);
                }
            }
            default -> {
                byte[] c = en.cPath;
                if (LibC.INSTANCE.mknod(c, r.type.bits() | (r.perm & 0777), r.rdev) != 0)
                    throw PathCalls.error("mknod", c);
            }
        }
        return bytes;
    }

    /** A file with no backing base: one ordered scan of its chunks, the newest layer per chunk. */
    private long stageFromChunks(long id, NodeRecord r, BackingDir.Entry en) throws IOException {
        Map<Long, Integer> rank = new HashMap<>();
        for (int i = 0; i < r.chainLayer.length; i++) rank.put(r.chainLayer[i], i);
        long bytes = 0;
        try (FileChannel ch = create(en.path);
                KvIterator it = state.store.scan(ColumnFamily.CHUNK, Bytes.longs(id))) {
            ChunkCopier out = new ChunkCopier(ch, id, r);
            long curIdx = -1;
            byte[] best = null;
            int bestRank = Integer.MAX_VALUE;
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                long idx = Bytes.getLong(k, 8);
                if (idx * C >= r.size) break;
                Integer rk = rank.get(Bytes.getLong(k, 16));
                if (rk == null) continue;
                if (idx != curIdx) {
                    bytes += out.chunk(curIdx, best, bestRank);
                    curIdx = idx;
                    best = null;
                    bestRank = Integer.MAX_VALUE;
                }
                if (rk < bestRank) {
                    best = it.value();
                    bestRank = rk;
                }
            }
            bytes += out.chunk(curIdx, best, bestRank);
            out.finish();
            setLength(ch, en, r.size);
            ch.force(true);
        }
        return bytes;
    }

    /**
     * Writes chunks in ascending order into a new file. Whole external chunks of one layer that follow
     * each other are contiguous in its data file too: they go in one kernel-side copy.
     */
    private final class ChunkCopier {
        private final FileChannel ch;
        private final long id;
        private final NodeRecord r;
        private long runLayer = -1;
        private long runStart;
        private long runBytes;

        ChunkCopier(FileChannel ch, long id, NodeRecord r) {
            this.ch = ch;
            this.id = id;
            this.r = r;
        }

        long chunk(long idx, byte[] value, int rank) throws IOException {
            if (value == null) return 0;
            long valid = Math.min(r.chainValid[rank], r.size) - idx * C;
            int n = (int) Math.max(0, Math.min(Content.storedLength(value), valid));
            if (n == 0) return 0;
            long pos = idx * C;
            if (!Content.isExternal(value)) {
                finish();
                ByteBuffer buf = ByteBuffer.wrap(value, 1, n);
                while (buf.hasRemaining()) pos += ch.write(buf, pos);
                return n;
            }
            long layer = r.chainLayer[rank];
            if (runLayer != layer || runStart + runBytes != pos || runBytes % C != 0) finish();
            if (runLayer == -1) {
                runLayer = layer;
                runStart = pos;
            }
            runBytes += n;
            return n;
        }

        void finish() throws IOException {
            if (runLayer != -1 && runBytes > 0) state.chunkData.copyTo(id, runLayer, runStart, runBytes, ch, runStart);
            runLayer = -1;
            runBytes = 0;
        }
    }

    /**
     * The META step: node id's published metadata onto its backing path (idempotent). Xattrs the flushed
     * record had and the published one has not are removed too, whatever their namespace.
     */
    void meta(long id, long head, String rel) throws IOException {
        NodeRecord r = versions.node(id, head);
        if (r == null) return;
        NodeRecord was = versions.node(id, state.flushed());
        Set<String> drop = new HashSet<>();
        if (was != null) {
            for (String n : was.xattrs.keySet()) if (!r.xattrs.containsKey(n)) drop.add(n);
        }
        try (BackingDir.Entry en = at(rel)) {
            meta.apply(r, en, drop);
        } catch (NoSuchFileException gone) {
            // not there: a node this plan removed again (a rerun after a crash)
        }
    }

    /** An empty object of r's type at rel; a device the daemon may not make is stood in for by a file. */
    void standIn(NodeRecord r, BackingDir.Entry en) throws IOException {
        byte[] c = en.cPath;
        switch (r.type) {
            case REGULAR -> create(en.path).close();
            case DIRECTORY -> Files.createDirectory(en.path);
            case SYMLINK -> {
                if (LibC.INSTANCE.symlink(RawPaths.cString(r.target), c) != 0) throw PathCalls.error("symlink", c);
            }
            default -> {
                if (LibC.INSTANCE.mknod(c, r.type.bits() | 0600, r.rdev) != 0) {
                    if (LibC.errno() != Errno.EPERM.code()) throw PathCalls.error("mknod", c);
                    create(en.path).close();
                }
            }
        }
    }

    static Long inoOf(Path p) throws IOException {
        try {
            return (Long) Backing.lstat(p).get("ino");
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** fsync of directory rel, opened beneath BACKING (never a symlink, never a FIFO or device). */
    void fsyncDir(String rel) throws IOException {
        try (BackingDir.Entry d = state.backing.dir(rel);
                FileChannel ch = FileChannel.open(d.path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException gone) {
            // a directory deleted by this flush has nothing left to sync
        }
    }

    /** lstat of raw backing path rel, null when there is nothing there. */
    Map<String, Object> lstatOrNull(String rel) throws IOException {
        try (BackingDir.Entry en = entry(rel)) {
            return Backing.lstat(en.path);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /**
     * Deletes raw backing path rel and, if it is a directory, everything in it; a symlink is deleted
     * itself, never followed. Each directory is listed through a descriptor opened beneath BACKING, and
     * each name deleted through its directory's descriptor, so a directory swapped for a symlink while
     * this runs stops it (BackingSymlinkException) instead of deleting elsewhere.
     */
    void deleteTree(String rel) throws IOException {
        Map<String, Object> a = lstatOrNull(rel);
        if (a == null) return;
        if (FileType.fromMode((Integer) a.get("mode")) == FileType.DIRECTORY) {
            List<String> children = new ArrayList<>();
            try (BackingDir.Entry d = state.backing.dir(rel);
                    DirectoryStream<Path> ds = Files.newDirectoryStream(d.path)) {
                for (Path c : ds) children.add(rel + "/" + Backing.raw(RawPaths.fileName(c)));
            }
            for (String c : children) deleteTree(c);
        }
        try (BackingDir.Entry en = entry(rel)) {
            Files.delete(en.path);
        } catch (NoSuchFileException gone) {
            // deleted meanwhile
        } finally {
            forget(rel);
        }
    }
}
