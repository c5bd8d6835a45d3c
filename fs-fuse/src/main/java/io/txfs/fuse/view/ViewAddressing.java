package io.txfs.fuse.view;

import static io.txfs.fuse.FuseFilesystem.ROOT_ID;

import io.txfs.core.Engine;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.fuse.Attr;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import java.io.IOException;

/**
 * The views mount's addresses: a kernel node id is a (view, inode) pair ({@link ViewKey}), except the
 * shared root, which is the calling process's view root, and the control tree's nodes, which no view
 * has. Every lookup of an address checks that the caller may use the view.
 */
final class ViewAddressing {
    private final Views views;
    private final NodeTable<ViewKey> nodes;
    private final ControlNodes controlNodes;
    /** How long the kernel may trust view-private entries and attributes (invalidations keep them right). */
    private final long ttlNanos;

    private final InodeNumbers inodes;

    ViewAddressing(
            Views views, NodeTable<ViewKey> nodes, ControlNodes controlNodes, long ttlNanos, InodeNumbers inodes) {
        this.views = views;
        this.inodes = inodes;
        this.nodes = nodes;
        this.controlNodes = controlNodes;
        this.ttlNanos = ttlNanos;
    }

    /**
     * The view and inode behind a node id; the shared root means the caller's own view root. Every other
     * node belongs to one view, and only callers who may use that view get its key (see {@link #checkAccess}).
     */
    ViewKey key(RequestContext ctx, long node) throws IOException {
        if (node == ROOT_ID) {
            // by name: a session's view that has not begun is not created by a read (Views.viewOf)
            return new ViewKey(views.nameForCaller(ctx), Engine.ROOT);
        }
        if (controlNodes.isControl(node)) {
            // a request that names a control node among ordinary ones, e.g. a rename into .txfs
            throw new FuseErrnoException(Errno.EPERM, ".txfs is read-only");
        }
        ViewKey k = nodes.key(node).orElseThrow(() -> new FuseErrnoException(Errno.ESTALE));
        checkAccess(ctx, k.view());
        return k;
    }

    /**
     * A view's nodes are reachable by other processes than its own: through {@code .txfs/views/NAME} (whose
     * lookup is checked, but whose entries the kernel may hold), and through a descriptor or working
     * directory a process kept after it left the view. So every request on a view's node is checked, not
     * only the lookup of its root: the kernel's caches can then serve a non-member nothing it has not
     * already read, and everything that reaches the daemon (open, readdir, create, getattr once the
     * cached attributes expired, ...) is refused. Free for root and the view's owner (from the request
     * header); other uids cost a caller lookup (cached per thread).
     */
    void checkAccess(RequestContext ctx, String view) throws FuseErrnoException {
        if (!views.mayUse(ctx, view)) {
            throw new FuseErrnoException(Errno.EACCES, "not a process of view " + view);
        }
    }

    /** Whether {@code node} is a view's root (the shared root is the caller's), checked as any request on it. */
    boolean isViewRoot(RequestContext ctx, long node) throws IOException {
        return key(ctx, node).ino() == Engine.ROOT;
    }

    /** The attributes of node {@code a} of {@code k}'s view as its processes see them (InodeNumbers). */
    Attr attr(ViewKey k, NodeAttributes a) {
        return inodes.attr(view(k), a);
    }

    /**
     * How long the kernel may keep a node's attributes: {@code ttl}, or not at all in a view whose inode
     * numbers follow paths (the kernel answers stat with the number of the last attributes it got, and a
     * rename or a parent's rename changes it without the node changing).
     */
    static long attrTtl(View v, long ttl) {
        return v.pathInodes ? 0 : ttl;
    }

    /** The inode number view {@code v} shows for node {@code ino} (InodeNumbers). */
    long ino(View v, long ino) {
        return inodes.ino(v, ino);
    }

    View view(ViewKey k) {
        return views.viewOf(k.view());
    }

    Entry entry(ViewKey k, NodeAttributes a, boolean underSharedRoot) {
        long id = nodes.acquire(new ViewKey(k.view(), a.ino())).id();
        // a shared-root name may name another view's node next time: the kernel must ask every time
        View v = view(k);
        return new Entry(id, 0, inodes.attr(v, a), underSharedRoot ? 0 : ttlNanos, attrTtl(v, ttlNanos));
    }
}
