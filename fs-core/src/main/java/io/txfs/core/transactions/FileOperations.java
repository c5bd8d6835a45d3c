package io.txfs.core.transactions;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FilesystemSpace;
import io.txfs.core.model.FsException;
import io.txfs.core.model.NameRules;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.outside.OutsideChanges;
import io.txfs.core.store.StoreException;
import io.txfs.core.tree.BackingImport;
import io.txfs.core.tree.Content;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.LayeredTree;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOperation;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The POSIX operations of a view, node-addressed as FUSE asks them (the engine's public methods of the
 * same names document each): each one a transaction of {@link ViewTransactions} over the view's
 * {@link LayeredTree}, with the outside-change checks of docs/outside-changes.md.
 */
public final class FileOperations {
    private final EngineParts parts;
    private final EngineState state;
    private final LayeredTree tree;
    private final BackingImport imports;
    private final ViewTransactions tx;
    private final OutsideChanges outside;

    public FileOperations(EngineParts parts, ViewTransactions tx, OutsideChanges outside) {
        this.parts = parts;
        this.state = parts.state();
        this.tree = parts.tree();
        this.imports = parts.imports();
        this.tx = tx;
        this.outside = outside;
    }

    public NodeAttributes lookup(View v, long parent, byte[] name) {
        NodeAttributes a;
        try {
            a = lookupOnce(v, parent, name);
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT || isVersionView(v) || !outside.checkDir(parent)) throw e;
            return lookupOnce(v, parent, name);
        }
        if (NameRules.isDotOrDotDot(name) || isVersionView(v) || !outside.checkFile(a.ino())) return a;
        return lookupOnce(v, parent, name);
    }

    private NodeAttributes lookupOnce(View v, long parent, byte[] name) {
        return tx.read(v, c -> {
            NodeRecord p = tree.dir(c, parent);
            NameRules.checkName(name);
            if (Arrays.equals(name, NameRules.DOT)) return tree.attr(c, parent, p);
            if (Arrays.equals(name, NameRules.DOTDOT)) {
                long up = parent == EngineConstants.ROOT
                        ? EngineConstants.ROOT
                        : p.link().parent();
                return tree.attr(c, up, tree.live(c, up));
            }
            long id = tree.child(c, parent, name);
            if (id == 0) throw new FsException(Errno.ENOENT, new String(name, StandardCharsets.UTF_8));
            return tree.attr(c, id, tree.live(c, id));
        });
    }

    public NodeAttributes getattr(View v, long ino) {
        // the root's attributes are answered even with BACKING gone: the walk to MOUNT/.txfs/ctl needs them,
        // and status and unmount must keep working then
        if (ino == EngineConstants.ROOT) return tx.readOnce(v, c -> tree.attr(c, ino, tree.live(c, ino)));
        return tx.read(v, c -> tree.attr(c, ino, tree.live(c, ino)));
    }

    public byte[] pathBytes(View v, long ino) {
        String raw = tx.readOnce(v, c -> tree.rawPathOf(c, ino));
        if (raw == null) return null;
        return (raw.startsWith("/") ? raw.substring(1) : raw).getBytes(StandardCharsets.ISO_8859_1);
    }

    public List<DirEntry> readdir(View v, long dirIno) {
        List<DirEntry> out = readdirOnce(v, dirIno); // first: it imports the listing if nobody has yet
        if (isVersionView(v)) return out;
        return outside.checkDir(dirIno) ? readdirOnce(v, dirIno) : out;
    }

    /**
     * A handle on one old published version ({@link #versionView}): what it reads never takes in an outside
     * change. Taking one in would publish a new version, not change the old one, and it takes the publish
     * lock: the delta-id worker reads through such handles while a flush holds that lock and waits for the
     * worker (a deadlock CI met in ViewSharedDefaultIT).
     */
    private boolean isVersionView(View v) {
        return v.historical;
    }

    private List<DirEntry> readdirOnce(View v, long dirIno) {
        return tx.read(v, c -> {
            tree.dir(c, dirIno);
            List<DirEntry> out = new ArrayList<>();
            for (var e : tree.entries(c, dirIno).entrySet())
                out.add(new DirEntry(
                        e.getKey(), e.getValue().child(), e.getValue().type()));
            return out;
        });
    }

    public long parentOf(View v, long dirIno) {
        return tx.read(v, c -> {
            NodeRecord r = tree.live(c, dirIno);
            return dirIno == EngineConstants.ROOT || r.links.isEmpty()
                    ? EngineConstants.ROOT
                    : r.link().parent();
        });
    }

    public byte[] readlink(View v, long ino) {
        return tx.read(v, c -> {
            NodeRecord r = tree.live(c, ino);
            if (r.type != FileType.SYMLINK) throw new FsException(Errno.EINVAL, "not a symlink");
            return r.target.clone();
        });
    }

    public NodeAttributes create(View v, long parent, byte[] name, int perm, Caller who) {
        return tx.mutate(v, c -> makeNode(c, parent, name, FileType.REGULAR, perm, 0, null, who));
    }

    public NodeAttributes mkdir(View v, long parent, byte[] name, int perm, Caller who) {
        return tx.mutate(v, c -> makeNode(c, parent, name, FileType.DIRECTORY, perm, 0, null, who));
    }

    public NodeAttributes mknod(View v, long parent, byte[] name, FileType type, int perm, long rdev, Caller who) {
        if (type == FileType.DIRECTORY || type == FileType.SYMLINK) {
            throw new FsException(Errno.EINVAL, "mknod cannot make a " + type);
        }
        return tx.mutate(v, c -> makeNode(c, parent, name, type, perm, rdev, null, who));
    }

    public NodeAttributes symlink(View v, long parent, byte[] name, byte[] target, Caller who) {
        if (target.length == 0) throw new FsException(Errno.ENOENT, "empty symlink target");
        if (target.length > 4095) throw new FsException(Errno.ENAMETOOLONG, "symlink target too long");
        return tx.mutate(v, c -> makeNode(c, parent, name, FileType.SYMLINK, 0777, 0, target, who));
    }

    private NodeAttributes makeNode(
            ViewOperation c, long parent, byte[] name, FileType type, int perm, long rdev, byte[] target, Caller who) {
        NodeRecord p = tree.dir(c, parent);
        NameRules.checkNewName(parent, name);
        if (tree.child(c, parent, name) != 0)
            throw new FsException(Errno.EEXIST, new String(name, StandardCharsets.UTF_8));
        long id = state.ids.next();
        NodeRecord r = new NodeRecord();
        r.type = type;
        r.perm = perm & 07777;
        r.uid = who.uid();
        r.gid = who.gid();
        if ((p.perm & 02000) != 0) {
            r.gid = p.gid;
            if (type == FileType.DIRECTORY) r.perm |= 02000;
        }
        r.nlink = 1;
        r.rdev = rdev;
        long now = state.clock.nowNanos();
        r.atime = now;
        r.mtime = c.view.clampMtime(now);
        r.ctime = now;
        r.links.add(new EntryName(parent, name));
        r.bornLayer = c.layer;
        if (target != null) {
            r.target = target.clone();
            r.size = target.length;
        }
        c.nodes.put(id, r);
        tree.putDent(c, parent, name, id, type);
        c.nodes.putIfAbsent(parent, p);
        state.touch(c, tree.mutable(c, parent));
        tree.keyEntry(c, parent, name);
        return tree.attr(c, id, r);
    }

    public NodeAttributes link(View v, long ino, long newParent, byte[] newName) {
        return tx.mutate(v, c -> {
            NodeRecord r = tree.live(c, ino);
            if (r.isDir()) throw new FsException(Errno.EPERM, "hard link to a directory");
            tree.dir(c, newParent);
            NameRules.checkNewName(newParent, newName);
            if (tree.child(c, newParent, newName) != 0)
                throw new FsException(Errno.EEXIST, new String(newName, StandardCharsets.UTF_8));
            NodeRecord m = tree.mutable(c, ino);
            m.links.add(new EntryName(newParent, newName));
            m.nlink++;
            m.ctime = state.clock.nowNanos();
            tree.putDent(c, newParent, newName, ino, m.type);
            state.touch(c, tree.mutable(c, newParent));
            tree.keyEntry(c, newParent, newName);
            tree.key(c, Keys.conflictKey('N', ino));
            return tree.attr(ino, m);
        });
    }

    public void unlink(View v, long parent, byte[] name) {
        tx.mutate(v, c -> {
            tree.dir(c, parent);
            NameRules.checkName(name);
            if (parent == EngineConstants.ROOT && Arrays.equals(name, NameRules.RESERVED))
                throw new FsException(Errno.EPERM, ".txfs is reserved");
            long id = tree.child(c, parent, name);
            if (id == 0) throw new FsException(Errno.ENOENT, new String(name, StandardCharsets.UTF_8));
            NodeRecord m = tree.mutable(c, id);
            if (m.isDir()) throw new FsException(Errno.EISDIR, "unlink of a directory");
            dropLink(c, id, m, parent, name);
            state.touch(c, tree.mutable(c, parent));
            return null;
        });
    }

    private void dropLink(ViewOperation c, long id, NodeRecord m, long parent, byte[] name) {
        m.links.remove(new EntryName(parent, name));
        m.nlink = m.isDir() ? 0 : Math.max(0, m.nlink - 1);
        m.ctime = state.clock.nowNanos();
        tree.putDent(c, parent, name, 0, m.type);
        tree.keyEntry(c, parent, name);
        tree.key(c, Keys.conflictKey('N', id));
        if (m.isDir()) tree.key(c, Keys.conflictKey('R', id));
    }

    public void rmdir(View v, long parent, byte[] name) {
        tx.mutate(v, c -> {
            tree.dir(c, parent);
            NameRules.checkName(name);
            if (Arrays.equals(name, NameRules.DOT)) throw new FsException(Errno.EINVAL, "rmdir of '.'");
            if (Arrays.equals(name, NameRules.DOTDOT)) throw new FsException(Errno.ENOTEMPTY, "rmdir of '..'");
            if (parent == EngineConstants.ROOT && Arrays.equals(name, NameRules.RESERVED))
                throw new FsException(Errno.EPERM, ".txfs is reserved");
            long id = tree.child(c, parent, name);
            if (id == 0) throw new FsException(Errno.ENOENT, new String(name, StandardCharsets.UTF_8));
            NodeRecord m = tree.mutable(c, id);
            if (!m.isDir()) throw new FsException(Errno.ENOTDIR, "rmdir of a non-directory");
            imports.ensureImported(id, m);
            if (!tree.entries(c, id).isEmpty())
                throw new FsException(Errno.ENOTEMPTY, new String(name, StandardCharsets.UTF_8));
            dropLink(c, id, m, parent, name);
            state.touch(c, tree.mutable(c, parent));
            return null;
        });
    }

    public void rename(View v, long oldParent, byte[] oldName, long newParent, byte[] newName, int flags) {
        tx.mutate(v, c -> {
            new Renamer(parts, c).rename(oldParent, oldName, newParent, newName, flags);
            return null;
        });
    }

    // ---------------------------------------------------------------- attributes

    public NodeAttributes setattr(View v, long ino, AttributeChange s) {
        return tx.mutate(v, c -> {
            NodeRecord m = tree.mutable(c, ino);
            if (s.size() != null) {
                if (m.isDir()) throw new FsException(Errno.EISDIR, "truncate of a directory");
                if (m.type != FileType.REGULAR) throw new FsException(Errno.EINVAL, "truncate of a special file");
                Content.truncate(state, c, ino, m, s.size());
            }
            if (s.perm() != null) m.perm = s.perm() & 07777;
            if (s.uid() != null) m.uid = s.uid();
            if (s.gid() != null) m.gid = s.gid();
            if (s.atimeNs() != null) m.atime = s.atimeNs();
            if (s.mtimeNs() != null) m.mtime = c.view.clampMtime(s.mtimeNs());
            m.ctime = state.clock.nowNanos();
            tree.keyNode(c, ino, m);
            return tree.attr(c, ino, m);
        });
    }

    public NodeAttributes open(View v, long ino, boolean write, boolean truncate) {
        outside.requireBacking();
        if (!isVersionView(v)) outside.checkFile(ino); // the content about to be read must be what BACKING holds now
        NodeAttributes a = getattr(v, ino);
        if (a.type() == FileType.DIRECTORY && write)
            throw new FsException(Errno.EISDIR, "open of a directory for writing");
        if (write && v.id == 0) throw new FsException(Errno.EROFS, "the published view is read-only");
        if (truncate && write && a.type() == FileType.REGULAR && a.size() != 0)
            return setattr(v, ino, AttributeChange.size(0));
        return a;
    }

    // ---------------------------------------------------------------- data

    public byte[] read(View v, long ino, long offset, int length) {
        if (offset < 0 || length < 0) throw new FsException(Errno.EINVAL, "negative offset or length");
        return tx.read(v, c -> {
            NodeRecord r = tree.live(c, ino);
            requireRegular(r);
            return Content.read(state, ino, r, offset, length);
        });
    }

    public int read(View v, long ino, long offset, ByteBuffer dst) {
        if (offset < 0) throw new FsException(Errno.EINVAL, "negative offset");
        return tx.read(v, c -> {
            NodeRecord r = tree.live(c, ino);
            requireRegular(r);
            return Content.read(state, ino, r, offset, dst);
        });
    }

    static final String CAPABILITY_XATTR = "security.capability";

    public int write(View v, long ino, long offset, byte[] data) {
        return write(v, ino, offset, data, data.length);
    }

    public int write(View v, long ino, long offset, byte[] data, int length) {
        if (offset < 0) throw new FsException(Errno.EINVAL, "negative offset");
        if (length < 0 || length > data.length) throw new FsException(Errno.EINVAL, "bad length");
        if (offset + length > EngineConstants.MAX_FILE_SIZE || offset + length < 0) {
            throw new FsException(Errno.EFBIG, "write beyond the maximum file size");
        }
        return tx.mutate(v, c -> {
            NodeRecord m = tree.mutable(c, ino);
            requireRegular(m);
            // as the VFS does on every write (file_remove_privs): a changed file keeps no file capabilities.
            // The kernel removes them itself before a page-cache write, never before a direct one.
            m.xattrs.remove(CAPABILITY_XATTR);
            c.bytes += Content.write(state, c, ino, m, offset, data, length);
            tree.keyNode(c, ino, m);
            return length;
        });
    }

    private static void requireRegular(NodeRecord r) {
        if (r.isDir()) throw new FsException(Errno.EISDIR, "is a directory");
        if (r.type != FileType.REGULAR) throw new FsException(Errno.EINVAL, "not a regular file");
    }

    public void fsync(View v) {
        if (!v.syncs) return; // a scratch build's view: it asked for no durability (ViewOptions.syncs)
        try {
            state.store.syncWal(); // chunk data first (DataFirstStore)
        } catch (StoreException e) {
            throw EngineState.storeError(e);
        }
    }

    // ---------------------------------------------------------------- xattrs

    public byte[] getxattr(View v, long ino, String name) {
        return tx.read(v, c -> {
            byte[] val = tree.live(c, ino).xattrs.get(name);
            if (val == null) throw new FsException(Errno.ENODATA, "no xattr " + name);
            return val.clone();
        });
    }

    public List<String> listxattr(View v, long ino) {
        return tx.read(v, c -> new ArrayList<>(tree.live(c, ino).xattrs.keySet()));
    }

    /**
     * The xattr namespaces a view keeps: user., and trusted. and security. (the kernel lets only
     * privileged callers write those). Anything else, POSIX ACLs (system.posix_acl_*) included, is
     * refused with EOPNOTSUPP as a local filesystem without ACL support does: cp -a and tar then fall
     * back to chmod, where a stored-but-never-applied ACL left their copies at mode 0600.
     */
    static boolean keptXattrNamespace(String name) {
        return name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security.");
    }

    private static void requireKeptXattrNamespace(String name) {
        if (!keptXattrNamespace(name)) {
            throw new FsException(
                    Errno.EOPNOTSUPP,
                    "xattr " + name + ": only the user., trusted. and security. namespaces are kept (no POSIX ACLs)");
        }
    }

    public void setxattr(View v, long ino, String name, byte[] value, int flags) {
        requireKeptXattrNamespace(name);
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new FsException(Errno.ERANGE, "bad xattr name length");
        }
        if (value.length > 65536) throw new FsException(Errno.E2BIG, "xattr value too large");
        tx.mutate(v, c -> {
            NodeRecord m = tree.mutable(c, ino);
            boolean exists = m.xattrs.containsKey(name);
            if ((flags & EngineConstants.XATTR_CREATE) != 0 && exists)
                throw new FsException(Errno.EEXIST, "xattr " + name + " exists");
            if ((flags & EngineConstants.XATTR_REPLACE) != 0 && !exists)
                throw new FsException(Errno.ENODATA, "no xattr " + name);
            m.xattrs.put(name, value.clone());
            m.ctime = state.clock.nowNanos();
            tree.key(c, Keys.conflictKey('N', ino));
            return null;
        });
    }

    public void removexattr(View v, long ino, String name) {
        requireKeptXattrNamespace(name);
        tx.mutate(v, c -> {
            NodeRecord m = tree.mutable(c, ino);
            if (m.xattrs.remove(name) == null) throw new FsException(Errno.ENODATA, "no xattr " + name);
            m.ctime = state.clock.nowNanos();
            tree.key(c, Keys.conflictKey('N', ino));
            return null;
        });
    }

    public FilesystemSpace statfs(View v) {
        outside.requireBacking();
        try {
            FileStore fs = Files.getFileStore(state.backing.root);
            long bs = 4096;
            return new FilesystemSpace(
                    bs,
                    fs.getTotalSpace() / bs,
                    fs.getUnallocatedSpace() / bs,
                    fs.getUsableSpace() / bs,
                    1L << 32,
                    1L << 31,
                    EngineConstants.NAME_MAX);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "statfs of backing directory", e);
        }
    }

    // ---------------------------------------------------------------- paths (tools and tests)

    public long resolve(View v, String path) {
        long cur = EngineConstants.ROOT;
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            cur = lookup(v, cur, part.getBytes(StandardCharsets.UTF_8)).ino();
        }
        return cur;
    }

    /** {@link #resolve(View, String)} of an exact path: name bytes joined by '/'. */
    public long resolve(View v, byte[] path) {
        long cur = EngineConstants.ROOT;
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i < path.length && path[i] != '/') continue;
            byte[] part = Arrays.copyOfRange(path, start, i);
            start = i + 1;
            if (part.length == 0 || (part.length == 1 && part[0] == '.')) continue;
            cur = lookup(v, cur, part).ino();
        }
        return cur;
    }
}
