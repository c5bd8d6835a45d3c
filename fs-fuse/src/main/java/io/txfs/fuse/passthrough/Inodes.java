package io.txfs.fuse.passthrough;

import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.FuseFilesystem;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node ids for backing inodes: one node per (st_dev, st_ino), each holding an O_PATH descriptor of
 * its inode and the kernel's lookup count. Node ids are never reused, so generation is always 0.
 * The table's monitor guards {@code byKey} and every {@code nlookup}; {@code byId} is read without it.
 */
final class Inodes {
    static final class Inode {
        final long id;
        final int fd;
        final long dev;
        final long ino;
        /** Guarded by the table's monitor. */
        long nlookup;

        Inode(long id, int fd, long dev, long ino) {
            this.id = id;
            this.fd = fd;
            this.dev = dev;
            this.ino = ino;
        }
    }

    private record Key(long dev, long ino) {}

    private final Map<Long, Inode> byId = new ConcurrentHashMap<>();
    private final Map<Key, Inode> byKey = new HashMap<>();
    private final Inode root;
    private long nextId = FuseFilesystem.ROOT_ID + 1;

    Inodes(int rootFd, long dev, long ino) {
        root = new Inode(FuseFilesystem.ROOT_ID, rootFd, dev, ino);
        root.nlookup = 1;
        byId.put(root.id, root);
        byKey.put(new Key(dev, ino), root);
    }

    Inode get(long id) throws FuseErrnoException {
        Inode i = byId.get(id);
        if (i == null) {
            throw new FuseErrnoException(Errno.ESTALE, "unknown node " + id);
        }
        return i;
    }

    /**
     * Counts one lookup of the inode that {@code fd} (a fresh O_PATH descriptor) refers to. If the
     * inode already has a node, {@code fd} is closed and the existing node returned.
     */
    Inode acquire(int fd, long dev, long ino) {
        Inode found;
        synchronized (this) {
            Key k = new Key(dev, ino);
            found = byKey.get(k);
            if (found == null) {
                Inode created = new Inode(nextId++, fd, dev, ino);
                created.nlookup = 1;
                byKey.put(k, created);
                byId.put(created.id, created);
                return created;
            }
            found.nlookup++;
        }
        LibC.INSTANCE.close(fd);
        return found;
    }

    void forget(long id, long n) {
        Inode i = byId.get(id);
        if (i == null || i == root) {
            return;
        }
        synchronized (this) {
            i.nlookup -= n;
            if (i.nlookup > 0) {
                return;
            }
            byKey.remove(new Key(i.dev, i.ino));
            byId.remove(i.id);
        }
        LibC.INSTANCE.close(i.fd);
    }

    synchronized int size() {
        return byId.size();
    }

    synchronized long lookups(long id) {
        Inode i = byId.get(id);
        return i == null ? 0 : i.nlookup;
    }

    /** Closes every descriptor, the root's too. */
    void closeAll() {
        List<Inode> all;
        synchronized (this) {
            all = new ArrayList<>(byId.values());
            byId.clear();
            byKey.clear();
        }
        for (Inode i : all) {
            LibC.INSTANCE.close(i.fd);
        }
    }
}
