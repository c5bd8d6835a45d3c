package io.txfs.fuse.view;

import static io.txfs.fuse.view.ControlNodes.CTL;
import static io.txfs.fuse.view.ControlNodes.FIRST_DYNAMIC_ID;
import static io.txfs.fuse.view.ControlNodes.TXFS_DIR;
import static io.txfs.fuse.view.ControlNodes.VIEWS_DIR;

import io.txfs.core.Engine;
import io.txfs.core.tree.View;
import io.txfs.fuse.AttrReply;
import io.txfs.fuse.CreateResult;
import io.txfs.fuse.DirectoryFiller;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.FuseFilesystem;
import io.txfs.fuse.InitInfo;
import io.txfs.fuse.Names;
import io.txfs.fuse.Notifier;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.RequestCounts;
import io.txfs.fuse.SetAttr;
import io.txfs.fuse.StatFs;
import io.txfs.fuse.control.ControlEndpoint;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The control tree over the views: {@code .txfs} at the shared root and at every view root, with the control
 * file {@code ctl} and {@code views}, the way to each caller's own view root. Requests on its nodes are
 * answered here; every other request goes to the views ({@link ViewFilesystem}), which refuse changes
 * under {@code .txfs} (EPERM) where a request names a control node among ordinary ones.
 */
public final class ControlTreeFilesystem implements FuseFilesystem {
    private final ViewFilesystem views;
    private final ControlEndpoint control;
    private final ControlNodes nodes;
    private final NodeTable<ViewKey> table;
    private final Views callers;
    private final Engine engine;
    /** How long the kernel may trust a view root's attributes reached through {@code .txfs/views/NAME}. */
    private final long ttlNanos;

    ControlTreeFilesystem(
            ViewFilesystem views,
            ControlEndpoint control,
            Engine engine,
            Views callers,
            NodeTable<ViewKey> table,
            long ttlNanos) {
        this.views = views;
        this.control = control;
        this.engine = engine;
        this.callers = callers;
        this.table = table;
        this.nodes = new ControlNodes(table);
        this.ttlNanos = ttlNanos;
    }

    /** Gives the filesystem the mount's notifier, for invalidations after publishes. */
    public void attach(Notifier notifier) {
        views.attach(notifier);
    }

    private boolean isControl(long node) {
        return nodes.isControl(node);
    }

    // ------------------------------------------------------------------ the .txfs tree

    @Override
    public Entry lookup(RequestContext ctx, long parent, byte[] name) throws IOException {
        if (isControl(parent)) {
            return lookupFixed(ctx, parent, Names.decode(name));
        }
        if (Arrays.equals(name, ControlNodes.TXFS_NAME) && views.isViewRoot(ctx, parent)) {
            // the control tree, at the shared root and at every view root
            return nodes.entry(parent, TXFS_DIR);
        }
        return views.lookup(ctx, parent, name);
    }

    private Entry lookupFixed(RequestContext ctx, long parent, String name) throws IOException {
        long kind = nodes.kind(parent);
        if (kind == TXFS_DIR) {
            return switch (name) {
                case "ctl" -> nodes.entry(parent, CTL);
                case "views" -> parent == TXFS_DIR ? viewsDirEntry(ctx) : nodes.entry(parent, VIEWS_DIR);
                default -> throw new FuseErrnoException(Errno.ENOENT);
            };
        }
        if (kind == VIEWS_DIR) {
            // A view's root is reachable only by that view's own processes, and through the views
            // directory of that view or of a view it is nested in (a txfs run inside a txfs run binds the
            // child's root from inside the parent's). The entry is never cached (timeout 0): every walk
            // through it asks again, as the walking process, so no entry outlives a membership change.
            String own = parent < FIRST_DYNAMIC_ID
                    ? null
                    : table.key(parent).map(ViewKey::view).orElse(null);
            View v = callers.forCaller(ctx);
            if (!v.name().equals(name) || (own != null && !own.equals(name) && !nestedIn(v, own))) {
                throw new FuseErrnoException(Errno.ENOENT, "not the caller's view");
            }
            long id = table.acquire(new ViewKey(name, Engine.ROOT)).id();
            return new Entry(id, 0, AttrMapping.toFuse(engine.getattr(v, Engine.ROOT)), 0, ttlNanos);
        }
        throw new FuseErrnoException(Errno.ENOTDIR);
    }

    /** Whether view {@code v} was begun inside {@code ancestor}, directly or deeper. */
    private boolean nestedIn(View v, String ancestor) {
        for (View p = v; p.isChild(); ) {
            p = engine.parentOf(p);
            if (p.name().equals(ancestor)) return true;
        }
        return false;
    }

    /**
     * {@code .txfs/views} under the shared root: a node of the caller's own view, not one node for all.
     * The kernel keeps one dentry for {@code views} and revalidates it at every walk (timeout 0); a walk
     * by a process of another view gets another node id, so the kernel drops that dentry and with it the
     * way to the cached entries below it ({@code NAME}, the view's root) before the lookup of {@code NAME}
     * is even sent. A single shared node would instead let such a walk revalidate the cached {@code NAME}
     * entry itself, and its refusal make the kernel unhash that dentry: the root that `txfs run` bound
     * over the mountpoint, so the view's processes whose working directory is its root would find
     * getcwd() failing.
     */
    private Entry viewsDirEntry(RequestContext ctx) throws FuseErrnoException {
        long id = table.acquire(new ViewKey(callers.nameForCaller(ctx), -ControlNodes.CALLERS_VIEWS_DIR))
                .id();
        return new Entry(id, 0, ControlNodes.attr(VIEWS_DIR), 0, 0);
    }

    private static void listFixed(long kind, long offset, DirectoryFiller filler, boolean plus) {
        List<String> names = kind == TXFS_DIR ? List.of("ctl", "views") : List.of();
        for (int i = (int) offset; i < names.size(); i++) {
            long child = names.get(i).equals("ctl") ? CTL : VIEWS_DIR;
            int type = (child == CTL ? 0100000 : 040000) >>> 12;
            byte[] name = names.get(i).getBytes(StandardCharsets.US_ASCII);
            boolean fit = plus
                    ? filler.addPlus(name, new Entry(0, 0, ControlNodes.attr(child), 0, 0), i + 1)
                    : filler.add(name, child, type, i + 1);
            if (!fit) {
                return;
            }
        }
    }

    /** The name {@code .txfs} at the shared root is the control tree's: no view may make or remove one there. */
    private static void refuseTxfs(long parent, byte[] name) throws FuseErrnoException {
        if (parent == ROOT_ID && Arrays.equals(name, ControlNodes.TXFS_NAME)) {
            throw new FuseErrnoException(Errno.EPERM, ".txfs is reserved");
        }
    }

    @Override
    public AttrReply getattr(RequestContext ctx, long node, long fh) throws IOException {
        if (isControl(node)) {
            return new AttrReply(ControlNodes.attr(nodes.kind(node)), 0);
        }
        return views.getattr(ctx, node, fh);
    }

    @Override
    public OpenResult open(RequestContext ctx, long node, int flags) throws IOException {
        return open(ctx, node, flags, 0);
    }

    @Override
    public OpenResult open(RequestContext ctx, long node, int flags, int openFlags) throws IOException {
        if (nodes.kind(node) == CTL) {
            return OpenResult.of(
                    control.open(),
                    OpenResult.FOPEN_DIRECT_IO
                            | OpenResult.FOPEN_STREAM
                            | OpenResult.FOPEN_NONSEEKABLE
                            | OpenResult.FOPEN_PARALLEL_DIRECT_WRITES);
        }
        return views.open(ctx, node, flags, openFlags);
    }

    @Override
    public int read(RequestContext ctx, long node, long fh, long offset, ByteBuffer dst) throws IOException {
        if (nodes.kind(node) == CTL) {
            return control.read(ctx, fh, dst);
        }
        return views.read(ctx, node, fh, offset, dst);
    }

    @Override
    public int write(RequestContext ctx, long node, long fh, long offset, ByteBuffer data, int writeFlags)
            throws IOException {
        if (nodes.kind(node) == CTL) {
            return control.write(ctx, fh, data);
        }
        return views.write(ctx, node, fh, offset, data, writeFlags);
    }

    @Override
    public void release(RequestContext ctx, long node, long fh, int flags) throws IOException {
        if (nodes.kind(node) == CTL) {
            control.release(fh);
        } else {
            views.release(ctx, node, fh, flags);
        }
    }

    @Override
    public void fsync(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        if (nodes.kind(node) == CTL) {
            return;
        }
        views.fsync(ctx, node, fh, datasync);
    }

    @Override
    public OpenResult opendir(RequestContext ctx, long node, int flags) throws IOException {
        if (isControl(node)) {
            return OpenResult.of(0);
        }
        return views.opendir(ctx, node, flags);
    }

    @Override
    public void readdir(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        if (isControl(node)) {
            listFixed(nodes.kind(node), offset, filler, false);
            return;
        }
        views.readdir(ctx, node, fh, offset, filler);
    }

    @Override
    public void readdirplus(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler)
            throws IOException {
        if (isControl(node)) {
            listFixed(nodes.kind(node), offset, filler, true);
            return;
        }
        views.readdirplus(ctx, node, fh, offset, filler);
    }

    @Override
    public void fsyncdir(RequestContext ctx, long node, long fh, boolean datasync) throws IOException {
        if (isControl(node)) {
            return;
        }
        views.fsyncdir(ctx, node, fh, datasync);
    }

    @Override
    public StatFs statfs(RequestContext ctx, long node) throws IOException {
        if (isControl(node)) {
            return AttrMapping.toFuse(engine.statfs(engine.published()));
        }
        return views.statfs(ctx, node);
    }

    @Override
    public int getxattr(RequestContext ctx, long node, String name, ByteBuffer dst) throws IOException {
        if (isControl(node)) {
            throw new FuseErrnoException(Errno.ENODATA);
        }
        return views.getxattr(ctx, node, name, dst);
    }

    @Override
    public int listxattr(RequestContext ctx, long node, ByteBuffer dst) throws IOException {
        if (isControl(node)) {
            return 0;
        }
        return views.listxattr(ctx, node, dst);
    }

    @Override
    public void access(RequestContext ctx, long node, int mask) throws IOException {
        // permission bits are checked by the kernel (default_permissions); this only says the node exists
        if (!isControl(node)) {
            views.access(ctx, node, mask);
        }
    }

    // ------------------------------------------------------------------ names the control tree reserves

    @Override
    public Entry symlink(RequestContext ctx, long parent, byte[] name, byte[] target) throws IOException {
        refuseTxfs(parent, name);
        return views.symlink(ctx, parent, name, target);
    }

    @Override
    public Entry mknod(RequestContext ctx, long parent, byte[] name, int mode, int rdev, int umask) throws IOException {
        refuseTxfs(parent, name);
        return views.mknod(ctx, parent, name, mode, rdev, umask);
    }

    @Override
    public Entry mkdir(RequestContext ctx, long parent, byte[] name, int mode, int umask) throws IOException {
        refuseTxfs(parent, name);
        return views.mkdir(ctx, parent, name, mode, umask);
    }

    @Override
    public CreateResult create(RequestContext ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws IOException {
        refuseTxfs(parent, name);
        return views.create(ctx, parent, name, mode, flags, umask);
    }

    @Override
    public void unlink(RequestContext ctx, long parent, byte[] name) throws IOException {
        refuseTxfs(parent, name);
        views.unlink(ctx, parent, name);
    }

    @Override
    public void rmdir(RequestContext ctx, long parent, byte[] name) throws IOException {
        refuseTxfs(parent, name);
        views.rmdir(ctx, parent, name);
    }

    @Override
    public void rename(RequestContext ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        refuseTxfs(parent, name);
        refuseTxfs(newParent, newName);
        views.rename(ctx, parent, name, newParent, newName, flags);
    }

    @Override
    public Entry link(RequestContext ctx, long node, long newParent, byte[] newName) throws IOException {
        refuseTxfs(newParent, newName);
        return views.link(ctx, node, newParent, newName);
    }

    // ------------------------------------------------------------------ the views' own

    @Override
    public RequestCounts requestCounts() {
        return views.requestCounts();
    }

    @Override
    public void init(InitInfo info) {
        views.init(info);
    }

    @Override
    public void destroy() {
        views.destroy();
    }

    @Override
    public void forget(long node, long nlookup) {
        views.forget(node, nlookup);
    }

    @Override
    public boolean clearsSetIdBits() {
        return views.clearsSetIdBits();
    }

    @Override
    public AttrReply setattr(RequestContext ctx, long node, SetAttr attr) throws IOException {
        return views.setattr(ctx, node, attr);
    }

    @Override
    public byte[] readlink(RequestContext ctx, long node) throws IOException {
        return views.readlink(ctx, node);
    }

    @Override
    public void flush(RequestContext ctx, long node, long fh, long lockOwner) throws IOException {
        views.flush(ctx, node, fh, lockOwner);
    }

    @Override
    public void releasedir(RequestContext ctx, long node, long fh) throws IOException {
        views.releasedir(ctx, node, fh);
    }

    @Override
    public void setxattr(RequestContext ctx, long node, String name, ByteBuffer value, int flags) throws IOException {
        views.setxattr(ctx, node, name, value, flags);
    }

    @Override
    public void removexattr(RequestContext ctx, long node, String name) throws IOException {
        views.removexattr(ctx, node, name);
    }

    @Override
    public void fallocate(RequestContext ctx, long node, long fh, int mode, long offset, long length)
            throws IOException {
        views.fallocate(ctx, node, fh, mode, offset, length);
    }

    @Override
    public long lseek(RequestContext ctx, long node, long fh, long offset, int whence) throws IOException {
        return views.lseek(ctx, node, fh, offset, whence);
    }
}
