package io.txfs.fuse.view;

import io.txfs.control.ControlCommand;
import io.txfs.fuse.Attr;
import io.txfs.fuse.Entry;
import java.nio.charset.StandardCharsets;

/**
 * The node ids of the control tree ({@code .txfs}, {@code .txfs/ctl}, {@code .txfs/views}) in the mount's
 * node table: which node is a control node, and the entries and attributes they are answered with.
 */
final class ControlNodes {
    /** The control directory's name, at the shared root and at every view root. */
    static final byte[] TXFS_NAME = ".txfs".getBytes(StandardCharsets.US_ASCII);

    static final long TXFS_DIR = 2;
    static final long CTL = 3;
    static final long VIEWS_DIR = 4;
    /**
     * The kind of the {@code views} directory under the shared root's {@code .txfs}: one node per caller's
     * view (see {@code ControlTreeFilesystem.viewsDirEntry}). Never a node id itself, only the negated inode
     * of its key.
     */
    static final long CALLERS_VIEWS_DIR = 5;

    /** The lowest id the node table hands out: those below are the shared root and its control nodes. */
    static final long FIRST_DYNAMIC_ID = 16;

    private final NodeTable<ViewKey> nodes;

    ControlNodes(NodeTable<ViewKey> nodes) {
        this.nodes = nodes;
    }

    /**
     * Which control node a node id is: TXFS_DIR, CTL or VIEWS_DIR, or 0 for an ordinary node. The shared
     * root's control nodes have the fixed ids 2-4; every view root has its own (a key with the negated
     * kind as its inode), because the kernel refuses a directory that is its own ancestor (ELOOP): the
     * shared root's .txfs is an ancestor of .txfs/views/NAME, which a mount namespace binds over MOUNT.
     */
    long kind(long node) {
        if (node == TXFS_DIR || node == CTL || node == VIEWS_DIR) {
            return node;
        }
        if (node < FIRST_DYNAMIC_ID) {
            return 0;
        }
        ViewKey k = nodes.key(node).orElse(null);
        if (k == null || k.ino() >= 0) {
            return 0;
        }
        return -k.ino() == CALLERS_VIEWS_DIR ? VIEWS_DIR : -k.ino();
    }

    boolean isControl(long node) {
        return kind(node) != 0;
    }

    /** The control node of {@code kind} seen from {@code parent}: the fixed one under the shared root, else the view's own. */
    Entry entry(long parent, long kind) {
        if (parent < FIRST_DYNAMIC_ID) {
            return fixedEntry(kind);
        }
        String view = nodes.key(parent).map(ViewKey::view).orElseThrow();
        long id = nodes.acquire(new ViewKey(view, -kind)).id();
        Attr a = attr(kind);
        return new Entry(id, 0, a, 0, 0);
    }

    static Attr attr(long kind) {
        int mode = kind == CTL ? 0100666 : 040555;
        // ctl's size is the longest command: a direct write within the size may run in parallel with
        // others (FOPEN_PARALLEL_DIRECT_WRITES), one "past EOF" takes the inode lock for its whole
        // request, and a flush would then hold every other command (status, progress) until it ends
        long size = kind == CTL ? ControlCommand.MAX_LINE_BYTES : 0;
        return new Attr(kind, size, 0, 0, 0, 0, 0, 0, 0, mode, kind == CTL ? 1 : 2, 0, 0, 0, 4096);
    }

    private static Entry fixedEntry(long node) {
        return new Entry(node, 0, attr(node), 0, 0);
    }
}
