package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.PinnedViews;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.trace.AccessKind;
import io.txfs.core.tree.View;
import io.txfs.fuse.AttrReply;
import io.txfs.fuse.CreateResult;
import io.txfs.fuse.DirectoryFiller;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.FuseFilesystem;
import io.txfs.fuse.Notifier;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.RequestCounts;
import io.txfs.fuse.SetAttr;
import io.txfs.fuse.StatFs;
import io.txfs.sys.Errno;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount: every view has its own kernel node ids, so the kernel keeps separate inodes, page caches
 * and dentries per view. Only the shared root (node 1) is common to all views; requests on it are routed
 * by the calling process ({@link Views}) and answered with timeouts of 0. Below it, or below a view's own
 * root at {@code .txfs/views/NAME}, a node belongs to one view and may be cached; what a publish changes
 * under a view is invalidated by {@link KernelInvalidator}. The control tree ({@code .txfs}) is
 * {@link ControlTreeFilesystem}'s, which answers for its nodes and passes every other request here.
 *
 * <p>Errors: the engine throws {@link FsException}, an ErrnoAnswer the dispatcher answers with.
 */
final class ViewFilesystem implements FuseFilesystem {
    private static final Logger log = LoggerFactory.getLogger(ViewFilesystem.class);

    /** How long the kernel may trust view-private entries and attributes (invalidations keep them right). */
    private final long ttlNanos;

    private final Engine engine;
    private final Views views;
    private final NodeTable<ViewKey> nodes;
    private final KernelInvalidator invalidator;
    /** The control tree's nodes ({@link ControlTreeFilesystem} answers for them), to refuse changes under them. */
    private final ControlNodes controlNodes;

    private final RequestCounts requestCounts;
    /** Node ids to (view, inode) and back, checked for the caller. */
    private final ViewAddressing addressing;

    private final ViewDirectories directories;
    private final AccessTracing tracing;
    /** Read-only opens in read-committed views read the published version of their open (PinnedViews). */
    private final Map<Long, View> pinned = new ConcurrentHashMap<>();

    private final AtomicLong nextHandle = new AtomicLong(1);

    ViewFilesystem(
            Engine engine,
            Views views,
            NodeTable<ViewKey> nodes,
            KernelInvalidator invalidator,
            long ttlNanos,
            RequestCounts requestCounts) {
        this.engine = engine;
        this.views = views;
        this.nodes = nodes;
        this.invalidator = invalidator;
        this.controlNodes = new ControlNodes(nodes);
        this.ttlNanos = ttlNanos;
        this.addressing = new ViewAddressing(views, nodes, controlNodes, ttlNanos, new InodeNumbers(engine));
        this.directories = new ViewDirectories(engine, addressing, nodes, views);
        this.tracing = new AccessTracing(engine);
        this.requestCounts = requestCounts;
    }

    @Override
    public RequestCounts requestCounts() {
        return requestCounts;
    }

    /** Whether {@code node} is a view's root (the shared root is the caller's), checked as any request on it. */
    boolean isViewRoot(RequestContext ctx, long node) throws IOException {
        return addressing.isViewRoot(ctx, node);
    }

    static NodeTable<ViewKey> newNodeTable() {
        return new NodeTable<>(ControlNodes.FIRST_DYNAMIC_ID);
    }

    /** Gives the filesystem the mount's notifier, for invalidations after publishes. */
    public void attach(Notifier notifier) {
        invalidator.attach(notifier);
    }

    // ------------------------------------------------------------------ addressing

    /**
     * A view changed names in its root through the shared root (node 1). The kernel knows that root
     * also as another node, {@code .txfs/views/NAME} (bound over MOUNT by {@code txfs run}), whose cached
     * listing and entries did not see the change: drop them. Sent without waiting (a reader thread must
     * not wait on a notification), so a process in the same view through its own root may see the old
     * names for the moment it takes to send them.
     */
    private void changedThroughSharedRoot(String view, byte[]... names) {
        Set<ChangeSet.Entry> entries = new HashSet<>();
        for (byte[] n : names) {
            entries.add(new ChangeSet.Entry(Engine.ROOT, n.clone()));
        }
        invalidator.invalidateLater(view, new ChangeSet(Set.of(Engine.ROOT), entries));
    }

    private void sharedRootName(long parent, ViewKey p, byte[] name) {
        if (parent == ROOT_ID) {
            changedThroughSharedRoot(p.view(), name);
        }
    }

    private static Caller caller(RequestContext ctx) {
        return new Caller(ctx.uid(), ctx.gid());
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Entry lookup(RequestContext ctx, long parent, byte[] name) throws IOException {
        ViewKey p = addressing.key(ctx, parent);
        View v = addressing.view(p);
        try {
            NodeAttributes a = engine.lookup(v, p.ino(), name);
            Entry found = addressing.entry(p, a, parent == ROOT_ID);
            tracing.child(v, p.ino(), name, a.ino(), AccessKind.LOOKUP);
            return found;
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                tracing.child(v, p.ino(), name, AccessKind.MISSING);
            }
            if (e.errno() != Errno.ENOENT || parent == ROOT_ID) {
                throw e;
            }
            // A missing name below a view-private directory may be remembered like a present one: the view's
            // own creates pass through the kernel, and every name another change adds is invalidated
            // (KernelInvalidator). A compiler probes the same missing names several times per file.
            return new Entry(0, 0, null, ttlNanos, 0);
        }
    }

    @Override
    public void forget(long node, long nlookup) {
        if (node >= ControlNodes.FIRST_DYNAMIC_ID) {
            nodes.forget(node, nlookup).ifPresent(this::forgotten);
        }
    }

    /**
     * The kernel holds no name or descriptor of the node any more: if its view removed it, the bytes the
     * view wrote into it can go now (Engine.forgotten). A failure leaves them to the view's abort or publish.
     */
    private void forgotten(ViewKey k) {
        try {
            engine.forgotten(addressing.view(k), k.ino());
        } catch (RuntimeException e) {
            log.debug("forgotten node {} of view {}: {}", k.ino(), k.view(), e.toString());
        }
    }

    @Override
    public AttrReply getattr(RequestContext ctx, long node, long fh) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        View v = addressing.view(k);
        return new AttrReply(
                addressing.attr(k, engine.getattr(v, k.ino())),
                node == ROOT_ID ? 0 : ViewAddressing.attrTtl(v, ttlNanos));
    }

    @Override
    public byte[] readlink(RequestContext ctx, long node) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        byte[] target = engine.readlink(addressing.view(k), k.ino());
        tracing.node(addressing.view(k), k.ino(), AccessKind.READLINK);
        return target;
    }

    @Override
    public boolean clearsSetIdBits() {
        // the kernel does not clear them on direct-I/O writes (read-committed views) unless we handle it
        return true;
    }

    @Override
    public OpenResult open(RequestContext ctx, long node, int flags) throws IOException {
        return open(ctx, node, flags, 0);
    }

    @Override
    public OpenResult open(RequestContext ctx, long node, int flags, int openFlags) throws IOException {
        boolean write = (flags & 3) != 0;
        // O_TRUNC with write access changes the file: it begins a session view's snapshot like a write, and is
        // published on its own in the shared view
        boolean truncate = write && (flags & 01000) != 0;
        ViewKey k = truncate ? mutable(ctx, node) : addressing.key(ctx, node);
        View v = addressing.view(k);
        // an open for writing changes nothing yet: a session's view begins at the first write (mutable)
        engine.open(v, k.ino(), write && !Views.notBegun(v), truncate);
        tracing.node(v, k.ino(), AccessTracing.ofOpen(flags));
        if (truncate) {
            if ((openFlags & OPEN_KILL_SUIDGID) != 0) {
                SetIdBits.clear(engine, ctx, v, k.ino());
            }
            views.afterChange(k.view());
        }
        // Not for the shared default's view: a pin reads that view's pending records at the version of the
        // open, and its group's publish moves them to a later version, so the descriptor would read the
        // file as it was before the writes of the group (and an ordinary filesystem's reader sees every
        // write that returned, whenever it opened). Reads through the view itself take its lock, so each
        // is still answered whole from one state.
        if (!write && v.isolation() == Isolation.READ_COMMITTED && !views.isGroupView(k.view())) {
            long fh = nextHandle.getAndIncrement();
            pinned.put(fh, PinnedViews.pin(engine, v));
            return OpenResult.of(fh, FileCaching.openFlags(v, false));
        }
        return OpenResult.of(0, FileCaching.openFlags(v, write));
    }

    @Override
    public int read(RequestContext ctx, long node, long fh, long offset, ByteBuffer dst) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        View pin = fh == 0 ? null : pinned.get(fh);
        return engine.read(pin != null ? pin : addressing.view(k), k.ino(), offset, dst);
    }

    @Override
    public void release(RequestContext ctx, long node, long fh, int flags) {
        if (fh != 0) {
            View pin = pinned.remove(fh);
            if (pin != null) PinnedViews.release(engine, pin); // its version need not be kept any more
        }
    }

    @Override
    public void flush(RequestContext ctx, long node, long fh, long lockOwner) throws FuseErrnoException {
        // Writes reach the store's log before they return, so close has nothing left to do. ENOSYS tells
        // the kernel so once (it then never sends FLUSH again and close succeeds): one round trip less
        // per close().
        throw new FuseErrnoException(Errno.ENOSYS);
    }

    // ------------------------------------------------------------------ directories (ViewDirectories)

    @Override
    public OpenResult opendir(RequestContext ctx, long node, int flags) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        tracing.node(addressing.view(k), k.ino(), AccessKind.READDIR);
        return directories.open(k, node);
    }

    @Override
    public void readdir(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        directories.list(ctx, node, fh, offset, filler, false);
    }

    @Override
    public void readdirplus(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        directories.list(ctx, node, fh, offset, filler, true);
    }

    @Override
    public void releasedir(RequestContext ctx, long node, long fh) {
        directories.release(fh);
    }

    @Override
    public StatFs statfs(RequestContext ctx, long node) throws IOException {
        return AttrMapping.toFuse(engine.statfs(addressing.view(addressing.key(ctx, node))));
    }

    @Override
    public int getxattr(RequestContext ctx, long node, String name, ByteBuffer dst) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        tracing.node(addressing.view(k), k.ino(), AccessKind.GETXATTR);
        return putSized(engine.getxattr(addressing.view(k), k.ino(), name), dst);
    }

    @Override
    public int listxattr(RequestContext ctx, long node, ByteBuffer dst) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        tracing.node(addressing.view(k), k.ino(), AccessKind.GETXATTR);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String n : engine.listxattr(addressing.view(k), k.ino())) {
            out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return putSized(out.toByteArray(), dst);
    }

    private static int putSized(byte[] value, ByteBuffer dst) throws FuseErrnoException {
        if (dst.remaining() == 0) {
            return value.length;
        }
        if (value.length > dst.remaining()) {
            throw new FuseErrnoException(Errno.ERANGE);
        }
        dst.put(value);
        return value.length;
    }

    @Override
    public void access(RequestContext ctx, long node, int mask) throws IOException {
        // permission bits are checked by the kernel (default_permissions); this only says the node exists
        ViewKey k = addressing.key(ctx, node);
        engine.getattr(addressing.view(k), k.ino());
    }

    // ------------------------------------------------------------------ changes

    /** The view a change goes to; the published pseudo-view and .txfs (in {@link #key}) refuse changes. */
    private ViewKey mutable(RequestContext ctx, long node) throws IOException {
        ViewKey k = addressing.key(ctx, node);
        views.forChange(k.view(), ctx); // a session's view begins at its first change
        return k;
    }

    @Override
    public AttrReply setattr(RequestContext ctx, long node, SetAttr s) throws IOException {
        // A truncate of ctl is a change under .txfs like any other (EPERM, from mutable). `echo verb > ctl`
        // opens with O_TRUNC, which never gets here: with ATOMIC_O_TRUNC the kernel passes it in OPEN.
        ViewKey k = mutable(ctx, node);
        long now = engine.clock().nowNanos();
        AttributeChange c = new AttributeChange(
                s.hasMode() ? s.mode() & 07777 : null,
                s.hasUid() ? s.uid() : null,
                s.hasGid() ? s.gid() : null,
                s.hasSize() ? s.size() : null,
                s.atimeNow() ? Long.valueOf(now) : s.hasAtime() ? s.atimeSec() * 1_000_000_000L + s.atimeNsec() : null,
                s.mtimeNow() ? Long.valueOf(now) : s.hasMtime() ? s.mtimeSec() * 1_000_000_000L + s.mtimeNsec() : null);
        NodeAttributes a = engine.setattr(addressing.view(k), k.ino(), c);
        tracing.node(addressing.view(k), k.ino(), AccessKind.SETATTR);
        if ((s.valid() & SetAttr.FATTR_KILL_SUIDGID) != 0 && a.type() != FileType.DIRECTORY) {
            SetIdBits.clear(engine, ctx, addressing.view(k), k.ino());
            a = engine.getattr(addressing.view(k), k.ino());
        }
        views.afterChange(k.view());
        if (node == ROOT_ID) {
            changedThroughSharedRoot(k.view());
        }
        return new AttrReply(
                addressing.attr(k, a), node == ROOT_ID ? 0 : ViewAddressing.attrTtl(addressing.view(k), ttlNanos));
    }

    @Override
    public Entry symlink(RequestContext ctx, long parent, byte[] name, byte[] target) throws IOException {
        ViewKey p = mutable(ctx, parent);
        Entry e = addressing.entry(
                p, engine.symlink(addressing.view(p), p.ino(), name, target, caller(ctx)), parent == ROOT_ID);
        tracing.child(addressing.view(p), p.ino(), name, AccessKind.SYMLINK);
        views.afterChange(p.view());
        sharedRootName(parent, p, name);
        return e;
    }

    @Override
    public Entry mknod(RequestContext ctx, long parent, byte[] name, int mode, int rdev, int umask) throws IOException {
        ViewKey p = mutable(ctx, parent);
        FileType type = FileType.fromMode(mode);
        NodeAttributes a = type == FileType.REGULAR
                ? engine.create(addressing.view(p), p.ino(), name, mode & 07777, caller(ctx))
                : engine.mknod(
                        addressing.view(p),
                        p.ino(),
                        name,
                        type,
                        mode & 07777,
                        AttrMapping.decodeDev(rdev),
                        caller(ctx));
        Entry e = addressing.entry(p, a, parent == ROOT_ID);
        tracing.child(
                addressing.view(p), p.ino(), name, type == FileType.REGULAR ? AccessKind.CREATE : AccessKind.MKNOD);
        views.afterChange(p.view());
        sharedRootName(parent, p, name);
        return e;
    }

    @Override
    public Entry mkdir(RequestContext ctx, long parent, byte[] name, int mode, int umask) throws IOException {
        ViewKey p = mutable(ctx, parent);
        Entry e = addressing.entry(
                p, engine.mkdir(addressing.view(p), p.ino(), name, mode & 07777, caller(ctx)), parent == ROOT_ID);
        tracing.child(addressing.view(p), p.ino(), name, AccessKind.MKDIR);
        views.afterChange(p.view());
        sharedRootName(parent, p, name);
        return e;
    }

    @Override
    public CreateResult create(RequestContext ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws IOException {
        ViewKey p = mutable(ctx, parent);
        Entry e = addressing.entry(
                p, engine.create(addressing.view(p), p.ino(), name, mode & 07777, caller(ctx)), parent == ROOT_ID);
        tracing.child(addressing.view(p), p.ino(), name, AccessKind.CREATE);
        views.afterChange(p.view());
        sharedRootName(parent, p, name);
        return new CreateResult(e, OpenResult.of(0, FileCaching.openFlags(addressing.view(p), true)));
    }

    @Override
    public void unlink(RequestContext ctx, long parent, byte[] name) throws IOException {
        ViewKey p = mutable(ctx, parent);
        tracing.child(addressing.view(p), p.ino(), name, AccessKind.UNLINK);
        engine.unlink(addressing.view(p), p.ino(), name);
        views.afterChange(p.view());
        sharedRootName(parent, p, name);
    }

    @Override
    public void rmdir(RequestContext ctx, long parent, byte[] name) throws IOException {
        ViewKey p = mutable(ctx, parent);
        tracing.child(addressing.view(p), p.ino(), name, AccessKind.RMDIR);
        engine.rmdir(addressing.view(p), p.ino(), name);
        tracing.pathsChanged(addressing.view(p));
        views.afterChange(p.view());
        sharedRootName(parent, p, name);
    }

    @Override
    public void rename(RequestContext ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        ViewKey from = mutable(ctx, parent);
        ViewKey to = addressing.key(ctx, newParent);
        if (!from.view().equals(to.view())) {
            throw new FuseErrnoException(Errno.EXDEV, "rename between views");
        }
        if ((flags & RENAME_WHITEOUT) != 0) {
            throw new FuseErrnoException(Errno.EINVAL);
        }
        boolean intoSharedRoot = movesIntoSharedRoot(parent, newParent, flags);
        if (intoSharedRoot && !invalidator.canExpireAllEntries()) {
            throw new FuseErrnoException(
                    Errno.EXDEV, "rename into the shared root needs Linux 6.16 (FUSE_NOTIFY_INC_EPOCH)");
        }
        tracing.child(addressing.view(from), from.ino(), name, AccessKind.RENAME_FROM);
        engine.rename(addressing.view(from), from.ino(), name, to.ino(), newName, flags);
        tracing.pathsChanged(addressing.view(from));
        tracing.child(addressing.view(to), to.ino(), newName, AccessKind.RENAME_TO);
        if (intoSharedRoot) {
            invalidator.expireAllEntriesNow();
        }
        views.afterChange(from.view());
        sharedRootName(parent, from, name);
        sharedRootName(newParent, to, newName);
    }

    /**
     * Whether a rename puts a dentry of a view-private directory under the shared root. The kernel does
     * not look the new name up after a RENAME: it moves (d_move) the source dentry there, with the node id
     * and the entry timeout it had (10 s below a view-private directory). Every entry of the shared root
     * must be asked for at every walk (timeout 0), because the same name leads to another node in each
     * view; the moved one would be served from the cache to every view for 10 s: another view's `stat b`
     * would see this view's file and its writes would land in it. RENAME_EXCHANGE moves the other dentry
     * the other way as well.
     *
     * <p>Such a rename therefore expires every dentry the kernel holds (FUSE_NOTIFY_INC_EPOCH) before its
     * reply, after the engine made the change, so the moved dentry is invalid before any other process can
     * walk through it: each cached entry costs one LOOKUP at its next use. An entry invalidation of just
     * the new name is not possible in time: the kernel holds both directories' locks until after the move,
     * and FUSE_NOTIFY_INVAL_ENTRY waits for them, so it could only follow the reply. Renames from the root
     * into a directory need nothing (the moved dentry carries timeout 0), nor do the replies of create,
     * mkdir, mknod, symlink and link, which name the entry's timeout themselves (0 under the shared root).
     */
    private static boolean movesIntoSharedRoot(long parent, long newParent, int flags) {
        boolean fromRoot = parent == ROOT_ID;
        boolean toRoot = newParent == ROOT_ID;
        return (toRoot && !fromRoot) || ((flags & RENAME_EXCHANGE) != 0 && fromRoot && !toRoot);
    }

    @Override
    public Entry link(RequestContext ctx, long node, long newParent, byte[] newName) throws IOException {
        ViewKey target = mutable(ctx, node);
        ViewKey p = addressing.key(ctx, newParent);
        if (!p.view().equals(target.view())) {
            throw new FuseErrnoException(Errno.EXDEV, "link between views");
        }
        Entry e = addressing.entry(
                p, engine.link(addressing.view(p), target.ino(), p.ino(), newName), newParent == ROOT_ID);
        tracing.child(addressing.view(p), p.ino(), newName, AccessKind.LINK);
        views.afterChange(p.view());
        sharedRootName(newParent, p, newName);
        return e;
    }

    @Override
    public int write(RequestContext ctx, long node, long fh, long offset, ByteBuffer data, int writeFlags)
            throws IOException {
        ViewKey k = mutable(ctx, node);
        int len = data.remaining();
        byte[] b = WriteBuffers.get(len);
        data.get(b, 0, len);
        if ((writeFlags & WRITE_KILL_SUIDGID) != 0) {
            SetIdBits.clear(engine, ctx, addressing.view(k), k.ino());
        }
        int n = engine.write(addressing.view(k), k.ino(), offset, b, len);
        views.afterChange(k.view());
        return n;
    }

    @Override
    public void fsync(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        engine.fsync(addressing.view(addressing.key(ctx, node)));
    }

    @Override
    public void fsyncdir(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        engine.fsync(addressing.view(addressing.key(ctx, node)));
    }

    @Override
    public void setxattr(RequestContext ctx, long node, String name, ByteBuffer value, int flags) throws IOException {
        ViewKey k = mutable(ctx, node);
        byte[] v = new byte[value.remaining()];
        value.get(v);
        engine.setxattr(addressing.view(k), k.ino(), name, v, flags);
        tracing.node(addressing.view(k), k.ino(), AccessKind.SETXATTR);
        views.afterChange(k.view());
    }

    @Override
    public void removexattr(RequestContext ctx, long node, String name) throws IOException {
        ViewKey k = mutable(ctx, node);
        engine.removexattr(addressing.view(k), k.ino(), name);
        tracing.node(addressing.view(k), k.ino(), AccessKind.SETXATTR);
        views.afterChange(k.view());
    }

    @Override
    public void destroy() {
        invalidator.close();
    }
}
