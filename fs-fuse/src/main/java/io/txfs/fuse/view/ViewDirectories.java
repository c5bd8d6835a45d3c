package io.txfs.fuse.view;

import static io.txfs.fuse.FuseFilesystem.ROOT_ID;

import io.txfs.core.Engine;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.fuse.Attr;
import io.txfs.fuse.DirectoryFiller;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The views mount's open directories: each handle keeps its view's listing from the first read, so
 * offsets stay stable while the view changes the directory; readdirplus hands the kernel each entry's
 * node in the directory's view.
 */
final class ViewDirectories {
    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};

    /** An open directory: its view, and its listing taken at the first read so offsets stay stable. */
    private static final class DirHandle {
        final ViewKey dir;
        volatile List<DirEntry> listing;

        DirHandle(ViewKey dir) {
            this.dir = dir;
        }
    }

    private final Engine engine;
    private final Views views;
    private final ViewAddressing addressing;
    private final NodeTable<ViewKey> nodes;
    private final Map<Long, DirHandle> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    ViewDirectories(Engine engine, ViewAddressing addressing, NodeTable<ViewKey> nodes, Views views) {
        this.engine = engine;
        this.views = views;
        this.addressing = addressing;
        this.nodes = nodes;
    }

    /** Opens {@code dir}, which the kernel knows as {@code node}. */
    OpenResult open(ViewKey dir, long node) {
        long fh = nextHandle.getAndIncrement();
        handles.put(fh, new DirHandle(dir));
        // The shared root lists whichever view calls, so the kernel must ask every time. Every other
        // directory belongs to one view: the kernel keeps its listing (FOPEN_CACHE_DIR; KEEP_CACHE so
        // the next opendir does not drop it) until it changes the directory itself (create, unlink,
        // rename, link bump its iversion) or KernelInvalidator drops it (publish, refresh, abort,
        // import, and changes the view made through the shared root).
        return node == ROOT_ID
                ? OpenResult.of(fh)
                : OpenResult.of(fh, OpenResult.FOPEN_CACHE_DIR | OpenResult.FOPEN_KEEP_CACHE);
    }

    void list(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler, boolean plus)
            throws IOException {
        DirHandle h = handles.get(fh);
        if (h == null) {
            throw new FuseErrnoException(Errno.EBADF);
        }
        if (node != ROOT_ID) {
            addressing.checkAccess(ctx, h.dir.view()); // a directory kept open by a process that left its view
        }
        View v = addressing.view(h.dir);
        if (offset == 0 || h.listing == null) {
            List<DirEntry> l = new ArrayList<>();
            l.add(new DirEntry(DOT, h.dir.ino(), FileType.DIRECTORY));
            l.add(new DirEntry(DOTDOT, engine.parentOf(v, h.dir.ino()), FileType.DIRECTORY));
            l.addAll(views.readdirOrder(h.dir.view()).apply(engine.readdir(v, h.dir.ino()), h.dir.view(), h.dir.ino()));
            h.listing = l;
        }
        List<DirEntry> l = h.listing;
        for (int i = (int) offset; i < l.size(); i++) {
            DirEntry d = l.get(i);
            byte[] name = d.name();
            boolean dots = Arrays.equals(name, DOT) || Arrays.equals(name, DOTDOT);
            if (h.dir.ino() == Engine.ROOT && Arrays.equals(name, ControlNodes.TXFS_NAME)) {
                continue; // the name is the control tree's at every view root: a stored one is never shown
            }
            if (!plus || dots) {
                boolean fit = plus
                        ? filler.addPlus(name, new Entry(0, 0, dotAttr(addressing.ino(v, d.ino()), d), 0, 0), i + 1)
                        : filler.add(name, addressing.ino(v, d.ino()), AttrMapping.direntType(d.type()), i + 1);
                if (!fit) {
                    return;
                }
                continue;
            }
            NodeAttributes a;
            try {
                a = engine.getattr(v, d.ino());
            } catch (FsException gone) {
                continue; // removed since the listing was taken
            }
            Entry e = addressing.entry(h.dir, a, node == ROOT_ID);
            if (!filler.addPlus(name, e, i + 1)) {
                nodes.forget(e.nodeId(), 1);
                return;
            }
        }
    }

    private static Attr dotAttr(long ino, DirEntry d) {
        return new Attr(ino, 0, 0, 0, 0, 0, 0, 0, 0, d.type().bits(), 0, 0, 0, 0, 4096);
    }

    void release(long fh) {
        handles.remove(fh);
    }
}
