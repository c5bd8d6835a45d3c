package io.txfs.core.backing;

import io.txfs.core.format.Keys;
import io.txfs.core.format.PreservedMarker;
import io.txfs.core.model.BackingChangedException;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Identity;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.Store;
import io.txfs.sys.Errno;
import io.txfs.sys.PathCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads base content from the backing directory, only through paths relative to its root (which may be
 * /proc/self/fd/N). A backing path is held as a String with one char per name byte (ISO-8859-1, see
 * {@link #raw}), so names that are not valid UTF-8 survive every step; {@link #resolve} turns it into a
 * java.nio path carrying exactly those bytes, {@link #cPath} into a libc path. A file whose identity no longer matches the record is read from the preserved copy
 * flush left in the store; one changed outside txfs is reported as such (docs/outside-changes.md), never read mixed with other content.
 */
public final class Backing {
    private static final Logger log = LoggerFactory.getLogger(Backing.class);
    private static final int MAX_OPEN = 64;

    private record Open(Identity identity, FileChannel channel) {}

    public final Path root;
    /** Every path into BACKING goes through it: none follows a symlink. */
    public final BackingDir dir;

    private final Store store;
    private final LongFunction<String> pathOf;
    private final LongFunction<Identity> onDisk;
    private final Map<Long, Open> open = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Open> e) {
            if (size() <= MAX_OPEN) return false;
            closeQuietly(e.getValue().channel());
            return true;
        }
    };

    /**
     * pathOf: a node's raw path in the backing directory (null: none); onDisk: the identity of the file
     * that path holds, as txfs last recorded it (null: none).
     */
    public Backing(Path root, Store store, LongFunction<String> pathOf, LongFunction<Identity> onDisk) {
        this.root = root;
        try {
            this.dir = new BackingDir(root);
        } catch (IOException e) {
            throw new UncheckedIOException("open backing directory " + root, e);
        }
        this.store = store;
        this.pathOf = pathOf;
        this.onDisk = onDisk;
    }

    /** A backing name as a raw path component: one char per byte, so any bytes round-trip. */
    public static String raw(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    /** The bytes of a raw backing path or name. */
    public static byte[] bytes(String raw) {
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A raw path for messages: decoded as UTF-8 (invalid bytes show as U+FFFD). */
    public static String display(String raw) {
        return raw == null ? null : new String(bytes(raw), StandardCharsets.UTF_8);
    }

    /** The object at raw backing path rel (not ""), reached without following a symlink (BackingDir). */
    public BackingDir.Entry entry(String rel) throws IOException {
        return dir.entry(rel);
    }

    /** The directory at raw backing path rel ("": the root) itself, reached without following a symlink. */
    public BackingDir.Entry dir(String rel) throws IOException {
        return dir.dir(rel);
    }

    /** The exact target bytes of the symlink at raw path rel (java.nio would normalize them). */
    byte[] readLink(String rel) throws IOException {
        try (BackingDir.Entry en = entry(rel)) {
            return PathCalls.readLink(en.cPath);
        }
    }

    /**
     * The attributes txfs reads, by name as in the "unix" view. Named rather than "unix:*", which would
     * also resolve the owner and group names (a passwd and group lookup per file).
     */
    private static final String ATTRIBUTES =
            "unix:mode,uid,gid,nlink,size,lastAccessTime,lastModifiedTime,ctime,rdev,dev,ino";

    public static Map<String, Object> lstat(Path p) throws IOException {
        return Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    }

    public static long ns(Object fileTime) {
        return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
    }

    /** The identity of an lstat result as far as the disk can tell (Identity.onDisk: gen 0). */
    public static Identity identity(Map<String, Object> a) {
        return Identity.onDisk(
                (Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"), ns(a.get("lastModifiedTime")));
    }

    /** Reads len bytes at off (within one chunk) of the base content of node id. */
    public byte[] read(long id, Identity want, long off, int len) {
        ByteBuffer buf = ByteBuffer.allocate(len);
        int n = read(id, want, off, buf);
        return n == len ? buf.array() : Arrays.copyOf(buf.array(), n);
    }

    /**
     * Like {@link #read(long, Identity, long, int)} for dst's remaining bytes, into dst; returns how many it
     * put (fewer at the end of the file). Content no longer on disk is read from its preserved copy; a
     * partial copy holds only the chunks a flush overwrote, the others are read where its successor's
     * content is (PreservedMarker), a chain that ends at the file on disk or at a complete copy.
     */
    public int read(long id, Identity want, long off, ByteBuffer dst) {
        Identity cur = want;
        Set<Identity> seen = new HashSet<>();
        while (true) {
            FileChannel ch = channel(id, cur);
            if (ch != null) return readFile(id, cur, ch, off, dst);
            byte[] m = store.get(ColumnFamily.PRESERVED, Keys.preserved(cur, -1));
            if (m == null) {
                throw changedOutside(id, want, "no file with identity " + cur + " and no preserved copy");
            }
            byte[] v = store.get(ColumnFamily.PRESERVED, Keys.preserved(cur, off / EngineConstants.CHUNK));
            if (v != null) {
                int in = (int) (off % EngineConstants.CHUNK); // reads need not start at the chunk's start
                int n = Math.max(0, Math.min(dst.remaining(), v.length - 1 - in));
                dst.put(v, 1 + in, n);
                return n;
            }
            PreservedMarker pm = PreservedMarker.decode(m);
            if (pm.isComplete()) return 0; // past the copy's end
            if (pm.successor() == null) {
                // the flush that made this copy stopped after its plan: the rest is on disk, not yet named
                throw new FsException(
                        Errno.EIO,
                        "node " + id + ": its content " + cur + " is being flushed;"
                                + " the next flush (or start) completes it");
            }
            if (!seen.add(cur)) throw changedOutside(id, want, "preserved copies of " + want + " form a loop");
            cur = pm.successor();
        }
    }

    private int readFile(long id, Identity have, FileChannel ch, long off, ByteBuffer dst) {
        try {
            long size = ch.size();
            if (size != have.size()) {
                closeAll(); // the open file is not the content recorded any more
                throw changedOutside(id, have, "size " + size + " != " + have.size());
            }
            int start = dst.position();
            long pos = off;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) break;
                pos += n;
            }
            return dst.position() - start;
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "read backing file of node " + id, e);
        }
    }

    /**
     * The open backing file of node id if it holds the content want names, else null (then the content
     * is in a preserved copy, or was changed outside txfs). Whether it is that content is decided by
     * txfs's own record of the file now there, never by the disk's attributes alone (see Identity); the
     * disk is then checked against that record to catch changes made behind txfs's back.
     */
    private synchronized FileChannel channel(long id, Identity want) {
        Open o = open.get(id);
        if (o != null && o.identity().equals(want)) return o.channel();
        if (!want.equals(onDisk.apply(id))) return null;
        String rel = pathOf.apply(id);
        if (rel == null) return null;
        try (BackingDir.Entry en = entry(rel)) {
            // the channel stays valid after the directory's descriptor is closed
            if (!want.matchesDisk(identity(lstat(en.path)))) return null;
            FileChannel ch = FileChannel.open(en.path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            Open old = open.put(id, new Open(want, ch));
            if (old != null) closeQuietly(old.channel());
            return ch;
        } catch (NoSuchFileException | NotDirectoryException | BackingSymlinkException e) {
            // not the recorded file any more (a directory on its path removed, or swapped for a symlink,
            // which is never followed): read as a change outside txfs
            return null;
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "open backing file " + display(rel) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The content want names is not on disk and not preserved. If want is what txfs records for the file
     * now there, the file was changed behind txfs's back just now: the engine takes that in and reads
     * again (BackingChangedException). Otherwise the reader's version predates a change taken in earlier,
     * whose old content is gone: that file alone fails with ESTALE, logged once per content.
     */
    private FsException changedOutside(long id, Identity want, String why) {
        String rel = pathOf.apply(id);
        String path = display(rel);
        // a node with no backing path any more (removed or replaced outside, already taken in) is not a new change
        if (rel != null && want.equals(onDisk.apply(id))) return new BackingChangedException(id, path, why);
        String msg = "the content of node " + id + " (" + path + ") that this view reads was replaced outside txfs;"
                + " a view from before that change cannot read it (refresh, or abort its changes to the file)";
        if (staleLogged.add(want)) log.warn(msg);
        return new FsException(Errno.ESTALE, msg);
    }

    /** Contents already reported as gone (one warning each, not one per read). */
    private final Set<Identity> staleLogged = ConcurrentHashMap.newKeySet();

    /** Forgets open files; called when flush changes the backing directory. */
    public synchronized void closeAll() {
        for (Open o : open.values()) closeQuietly(o.channel());
        open.clear();
    }

    /** Closes the files and the backing directory's descriptor; called when the engine closes. */
    public synchronized void close() {
        closeAll();
        dir.close();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only channel: nothing to lose
        }
    }
}
