package io.txfs.core.chunks;

import io.txfs.core.model.FsException;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ChunkData in sparse files {@code DIR/<ino>-<layer>} (16 hex digits each). Open channels are cached
 * (bounded, least recently used first out, reference counted so an evicted channel closes only once
 * nobody is using it). Files written since the last {@link #sync()} are remembered and fsynced there.
 */
public final class FileChunkData implements ChunkData {
    private static final Logger log = LoggerFactory.getLogger(FileChunkData.class);
    private static final int MAX_OPEN = 128;
    /**
     * After this many bytes written to one file, its writeback is started (sync_file_range, no wait):
     * the disk then writes while the view goes on writing, instead of all at the next fsync — the
     * kernel's own background writeback starts only at 10% of memory dirty. RocksDB's bytes_per_sync
     * does the same for its files.
     */
    private static final long WRITEBACK_EVERY = 8L << 20;

    private record Key(long ino, long layer) {}

    private static final class Handle {
        final FileChannel ch;
        int refs;
        boolean evicted;

        Handle(FileChannel ch) {
            this.ch = ch;
        }
    }

    private final Path dir;
    private final LinkedHashMap<Key, Handle> open = new LinkedHashMap<>(64, 0.75f, true);
    private final Set<Key> dirty = ConcurrentHashMap.newKeySet();
    private final Map<Key, Long> unstarted = new ConcurrentHashMap<>();
    /** A file was created or removed since the directory was last fsynced. */
    private final AtomicBoolean dirDirty = new AtomicBoolean();

    private boolean closed;

    public FileChunkData(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path path(Key k) {
        return dir.resolve(String.format("%016x-%016x", k.ino(), k.layer()));
    }

    private Handle acquire(Key k, boolean create) throws IOException {
        synchronized (open) {
            if (closed) throw new ClosedChannelException();
            Handle h = open.get(k);
            if (h == null) {
                FileChannel ch;
                if (create) {
                    Path p = path(k);
                    boolean existed = Files.exists(p);
                    ch = FileChannel.open(
                            p, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
                    if (!existed) dirDirty.set(true);
                } else {
                    ch = FileChannel.open(path(k), StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                h = new Handle(ch);
                open.put(k, h);
                if (open.size() > MAX_OPEN) {
                    Iterator<Map.Entry<Key, Handle>> it = open.entrySet().iterator();
                    Handle eldest = it.next().getValue();
                    it.remove();
                    retire(eldest);
                }
            }
            h.refs++;
            return h;
        }
    }

    private void release(Handle h) {
        synchronized (open) {
            h.refs--;
            if (h.evicted && h.refs == 0) closeQuietly(h.ch);
        }
    }

    /** Called with the map's lock held. */
    private static void retire(Handle h) {
        h.evicted = true;
        if (h.refs == 0) closeQuietly(h.ch);
    }

    private void forget(Key k, Handle h) {
        synchronized (open) {
            if (open.get(k) == h) {
                open.remove(k);
                retire(h);
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.warn("closing a chunk data file: {}", e.toString());
        }
    }

    private interface Io {
        void run(FileChannel ch) throws IOException;
    }

    /**
     * Runs io on (ino, layer)'s channel. A channel closed under us (another thread was interrupted in
     * it) is reopened once.
     */
    private void withChannel(long ino, long layer, boolean create, String what, Io io) {
        Key k = new Key(ino, layer);
        for (int attempt = 0; ; attempt++) {
            Handle h;
            try {
                h = acquire(k, create);
            } catch (NoSuchFileException e) {
                throw new FsException(
                        Errno.EIO, "chunk data file of node " + ino + " layer " + layer + " is missing", e);
            } catch (IOException e) {
                throw error(what, k, e);
            }
            try {
                io.run(h.ch);
                return;
            } catch (ClosedChannelException e) {
                forget(k, h);
                if (e instanceof ClosedByInterruptException || attempt > 0 || isClosed()) throw error(what, k, e);
            } catch (IOException e) {
                throw error(what, k, e);
            } finally {
                release(h);
            }
        }
    }

    private boolean isClosed() {
        synchronized (open) {
            return closed;
        }
    }

    private FsException error(String what, Key k, IOException e) {
        String m = String.valueOf(e.getMessage());
        Errno errno = m.contains("No space left") ? Errno.ENOSPC : Errno.EIO;
        return new FsException(errno, what + " chunk data " + path(k).getFileName() + ": " + e, e);
    }

    @Override
    public void write(long ino, long layer, long pos, byte[] src, int off, int len) {
        withChannel(ino, layer, true, "write", ch -> {
            ByteBuffer b = ByteBuffer.wrap(src, off, len);
            long p = pos;
            while (b.hasRemaining()) p += ch.write(b, p);
        });
        // after the write: a sync that took the mark before this write finished must not clear it
        Key k = new Key(ino, layer);
        dirty.add(k);
        if (unstarted.merge(k, (long) len, Long::sum) >= WRITEBACK_EVERY) {
            unstarted.remove(k);
            startWriteback(k);
        }
    }

    private void startWriteback(Key k) {
        LibC libc = LibC.INSTANCE;
        byte[] c = (path(k).toString() + "\0").getBytes(StandardCharsets.UTF_8);
        int fd = libc.open(c, Sys.O_CLOEXEC, 0);
        if (fd < 0) return; // deleted meanwhile: nothing to write back
        try {
            libc.sync_file_range(fd, 0, 0, Sys.SYNC_FILE_RANGE_WRITE); // a hint: its failure changes nothing
        } finally {
            libc.close(fd);
        }
    }

    @Override
    public void read(long ino, long layer, long pos, byte[] dst, int off, int len) {
        read(ino, layer, pos, ByteBuffer.wrap(dst, off, len));
    }

    /** Straight into dst: a direct buffer (a FUSE reply) takes the bytes with no copy on the heap. */
    @Override
    public void read(long ino, long layer, long pos, ByteBuffer dst) {
        int start = dst.position();
        withChannel(ino, layer, false, "read", ch -> {
            ByteBuffer b = dst.duplicate().position(start); // a retry on a reopened channel starts over
            long p = pos;
            while (b.hasRemaining()) {
                int n = ch.read(b, p);
                if (n < 0) {
                    // beyond the end: never written (a chunk shorter than its valid length after a crash cannot happen)
                    while (b.hasRemaining()) b.put((byte) 0);
                    break;
                }
                p += n;
            }
            dst.position(b.position());
        });
    }

    @Override
    public void copyTo(long ino, long layer, long pos, long len, FileChannel target, long targetPos)
            throws IOException {
        long[] done = {0};
        withChannel(ino, layer, false, "copy", ch -> {
            long size = ch.size();
            while (done[0] < len) {
                long at = pos + done[0];
                if (at >= size) {
                    // never written: zeros (the target may be an existing file being patched)
                    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(len - done[0], 1 << 16));
                    while (done[0] < len) {
                        zeros.clear().limit((int) Math.min(zeros.capacity(), len - done[0]));
                        done[0] += target.write(zeros, targetPos + done[0]);
                    }
                    break;
                }
                target.position(targetPos + done[0]);
                long n = ch.transferTo(at, Math.min(len - done[0], size - at), target);
                if (n <= 0) throw new IOException("transferTo made no progress at " + at);
                done[0] += n;
            }
        });
    }

    @Override
    public void delete(long ino, long layer) {
        Key k = new Key(ino, layer);
        synchronized (open) {
            Handle h = open.remove(k);
            if (h != null) retire(h);
        }
        dirty.remove(k);
        unstarted.remove(k);
        try {
            if (Files.deleteIfExists(path(k))) dirDirty.set(true);
        } catch (IOException e) {
            log.warn("cannot delete chunk data file {}: {}", path(k), e.toString());
        }
    }

    @Override
    public void sync() {
        for (Key k : dirty.toArray(new Key[0])) {
            dirty.remove(k);
            try {
                withChannel(k.ino(), k.layer(), false, "fsync", ch -> ch.force(false));
            } catch (FsException e) {
                if (Files.exists(path(k))) throw e; // deleted meanwhile: nothing to sync
            }
        }
        if (dirDirty.compareAndSet(true, false)) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                dirDirty.set(true);
                throw new FsException(Errno.EIO, "fsync " + dir + ": " + e, e);
            }
        }
    }

    @Override
    public List<long[]> list() {
        List<long[]> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (n.length() != 33 || n.charAt(16) != '-') {
                    log.warn("unexpected file in {}: {}", dir, n);
                    continue;
                }
                out.add(new long[] {
                    Long.parseUnsignedLong(n.substring(0, 16), 16), Long.parseUnsignedLong(n.substring(17), 16)
                });
            }
        } catch (IOException | NumberFormatException e) {
            throw new FsException(Errno.EIO, "cannot list " + dir + ": " + e, e);
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (open) {
            closed = true;
            for (Handle h : open.values()) retire(h);
            open.clear();
        }
    }
}
