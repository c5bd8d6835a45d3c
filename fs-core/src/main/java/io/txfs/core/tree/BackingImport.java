package io.txfs.core.tree;

import io.txfs.core.backing.Backing;
import io.txfs.core.backing.BackingDir;
import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Identity;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.Store;
import io.txfs.sys.Errno;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Xattrs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the backing directory in: a directory's listing becomes version 0 of its entries the first time
 * anyone reads it (docs/engine.md), and each entry a node record made from its lstat. Also answers where a
 * node lives in the backing directory now (the flushed state).
 */
public final class BackingImport {
    private static final Logger log = LoggerFactory.getLogger(BackingImport.class);

    private final EngineState state;
    private final Store store;
    private final PublishedVersions versions;
    /** Serializes imports of backing listings, and the take-in of outside changes against them. */
    public final Object lock = new Object();
    /** Directories whose backing listing is in version 0 (a cache of the IMPORTED column family). */
    private final Set<Long> imported = ConcurrentHashMap.newKeySet();

    public BackingImport(EngineState state, PublishedVersions versions) {
        this.state = state;
        this.store = state.store;
        this.versions = versions;
    }

    /** Whether directory dir's backing listing is in version 0 already. */
    public boolean isImported(long dir) {
        return imported.contains(dir);
    }

    public void ensureImported(long dirId, NodeRecord r) {
        if (!r.backedDir) {
            versions.listed(dirId);
            return;
        }
        if (imported.contains(dirId)) return;
        synchronized (lock) {
            if (store.get(ColumnFamily.IMPORTED, Bytes.longs(dirId)) == null) importDir(dirId);
            imported.add(dirId);
            versions.listed(dirId);
        }
    }

    /** Lists a backing directory into version 0 of the store: what it held when txfs first looked. */
    private void importDir(long dirId) {
        String rel = backingPath(dirId);
        if (rel == null) throw new FsException(Errno.EIO, "directory " + dirId + " has no backing path");
        Batch b = new Batch();
        Map<Long, NodeRecord> linked = new HashMap<>();
        // the directory is opened beneath BACKING without following a symlink; its entries are reached
        // through that descriptor (BackingDir), so a directory swapped meanwhile is never read as root
        try (BackingDir.Entry dir = state.backing.dir(rel);
                DirectoryStream<Path> ds = Files.newDirectoryStream(dir.path)) {
            for (Path p : ds) {
                byte[] name = RawPaths.fileName(p); // exact bytes, valid UTF-8 or not
                String fname = Backing.raw(name);
                if (dirId == EngineConstants.ROOT && (fname.equals(".txfs") || fname.equals(EngineConstants.STAGING)))
                    continue;
                Map<String, Object> a;
                try {
                    a = Backing.lstat(p);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                String childRel = rel.isEmpty() ? fname : rel + "/" + fname;
                NodeRecord r = importRecord(p, dir.cChild(name), List.of(new EntryName(dirId, name)), a);
                long id;
                if (!r.isDir() && r.nlink > 1) {
                    byte[] bk = Bytes.longs(r.bdev, r.bino);
                    byte[] known = store.get(ColumnFamily.BACKING_INDEX, bk);
                    long knownId = known == null ? 0 : Bytes.getLong(known, 0);
                    NodeRecord other = knownId == 0
                            ? null
                            : linked.containsKey(knownId) ? linked.get(knownId) : versions.node(knownId, 0);
                    // inode numbers are reused by the backing filesystem: trust the index only on a full match
                    if (other != null
                            && other.identity() != null
                            && other.identity().equals(r.identity())) {
                        id = knownId;
                        other.links.add(new EntryName(dirId, name));
                        linked.put(id, other);
                        b.put(ColumnFamily.NODE, Keys.node(id, 0), other.encode());
                    } else {
                        id = state.ids.next();
                        b.put(ColumnFamily.BACKING_INDEX, bk, Bytes.longs(id));
                        linked.put(id, r);
                        store.write(new Batch().put(ColumnFamily.BACKING_INDEX, bk, Bytes.longs(id)), false);
                        b.put(ColumnFamily.NODE, Keys.node(id, 0), r.encode());
                    }
                } else {
                    id = state.ids.next();
                    b.put(ColumnFamily.NODE, Keys.node(id, 0), r.encode());
                }
                b.put(ColumnFamily.DENT, Keys.dent(dirId, name, 0), new EntryValue(id, r.type).encode());
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "list backing directory " + Backing.display(rel), e);
        }
        b.put(ColumnFamily.IMPORTED, Bytes.longs(dirId), new byte[] {1});
        store.write(b, false);
    }

    /** The record of raw backing path rel as it is now ("": the root). */
    public NodeRecord importRecord(String rel, List<EntryName> links) {
        try (BackingDir.Entry en = rel.isEmpty() ? state.backing.dir(rel) : state.backing.entry(rel)) {
            return importRecord(en.path, en.cPath, links, Backing.lstat(en.path));
        } catch (IOException e) {
            throw new UncheckedIOException("stat backing " + Backing.display(rel), e);
        }
    }

    /** The record of raw backing path rel, with lstat result a, reached beneath BACKING (BackingDir). */
    public NodeRecord importRecord(String rel, List<EntryName> links, Map<String, Object> a) throws IOException {
        try (BackingDir.Entry en = state.backing.entry(rel)) {
            return importRecord(en.path, en.cPath, links, a);
        }
    }

    /**
     * p, cPath: the exact java.nio and libc paths of the object, from a BackingDir.Entry still open
     * (they go through a descriptor of its directory).
     */
    public NodeRecord importRecord(Path p, byte[] cPath, List<EntryName> links, Map<String, Object> a) {
        NodeRecord r = new NodeRecord();
        int mode = (Integer) a.get("mode");
        r.type = FileType.fromMode(mode);
        r.perm = mode & 07777;
        r.uid = (Integer) a.get("uid");
        r.gid = (Integer) a.get("gid");
        r.nlink = r.type == FileType.DIRECTORY ? 1 : (Integer) a.get("nlink");
        r.size = r.type == FileType.REGULAR ? (Long) a.get("size") : 0;
        r.atime = Backing.ns(a.get("lastAccessTime"));
        r.mtime = Backing.ns(a.get("lastModifiedTime"));
        r.ctime = Backing.ns(a.get("ctime"));
        r.rdev = (Long) a.get("rdev");
        r.links = new ArrayList<>(links);
        r.backedDir = r.type == FileType.DIRECTORY;
        r.setIdentity(Backing.identity(a));
        r.baseValid = r.size;
        try {
            if (r.type == FileType.SYMLINK) {
                r.target = PathCalls.readLink(cPath);
                r.size = r.target.length;
            }
            if (r.type == FileType.REGULAR || r.type == FileType.DIRECTORY) {
                // one llistxattr on the path (the nio view opens the file for it); user.* only, as before
                for (Xattrs.Xattr x : Xattrs.list(cPath)) {
                    String n = new String(x.name(), StandardCharsets.UTF_8);
                    if (n.startsWith("user.")) r.xattrs.put(n, x.value());
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("xattrs/symlink of {}: {}", p, e.toString());
        }
        return r;
    }

    /** Where node id lives in the backing directory now (the flushed state) as a raw path, or null. */
    public String backingPath(long id) {
        if (id == EngineConstants.ROOT) return "";
        NodeRecord r = versions.node(id, state.flushed());
        if (r == null || r.links.isEmpty() || (r.isDir() && r.nlink == 0)) return null;
        EntryName l = r.links.get(0);
        String parent = backingPath(l.parent());
        if (parent == null) return null;
        String name = Backing.raw(l.name());
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    /** The identity txfs recorded for the file at backingPath(id), or null. */
    public Identity backingIdentity(long id) {
        NodeRecord r = versions.node(id, state.flushed());
        return r == null ? null : r.identity();
    }
}
