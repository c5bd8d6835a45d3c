package io.txfs.fuse.view.verbs;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.util.Optional;

/**
 * A dry run of an import: answers {@link #kind} from the real view (so the importer's own validation
 * sees the real tree) and changes nothing, refusing what the real apply would fail on halfway: a device
 * node from a non-root caller (the kernel would refuse mknod; the engine has no permission model), an
 * xattr name the engine cannot key (not UTF-8), {@code .txfs} at the root. Running it first keeps a
 * rejected import from changing the view at all.
 */
final class LayerPrecheckSink implements TreeSink {
    private final TreeSink real;
    private final boolean privileged;

    LayerPrecheckSink(TreeSink real, boolean privileged) {
        this.real = real;
        this.privileged = privileged;
    }

    @Override
    public Optional<EntryKind> kind(TreePath path) throws IOException {
        return real.kind(path);
    }

    private static void check(TreePath path, EntryMetadata meta) throws IOException {
        if (!path.isRoot() && path.names().size() == 1 && path.name().equals(Name.of(".txfs"))) {
            throw new IOException(".txfs is reserved at the root of a view");
        }
        if (meta != null) {
            for (Name x : meta.xattrs().keySet()) {
                if (Name.Bytes.utf8OrNull(x.bytes()) == null) {
                    throw new IOException(path + ": xattr name " + x + " is not UTF-8");
                }
            }
        }
    }

    @Override
    public void delete(TreePath path) throws IOException {
        check(path, null);
    }

    @Override
    public void clearDirectory(TreePath dir) {}

    @Override
    public void makeDirectory(TreePath path, EntryMetadata meta) throws IOException {
        check(path, meta);
    }

    @Override
    public void writeFile(TreePath path, EntryMetadata meta, InputStream content, long size) throws IOException {
        check(path, meta);
        content.skipNBytes(size);
    }

    @Override
    public void makeSymlink(TreePath path, byte[] target, EntryMetadata meta) throws IOException {
        check(path, meta);
    }

    @Override
    public void makeHardLink(TreePath path, TreePath existing) throws IOException {
        check(path, null);
    }

    @Override
    public void makeNode(TreePath path, EntryKind kind, long rdev, EntryMetadata meta) throws IOException {
        check(path, meta);
        if (kind.isDevice() && !privileged) {
            throw new AccessDeniedException(path.toString(), null, "only root may create device nodes");
        }
    }

    @Override
    public void setDirectoryMtime(TreePath path, long mtimeNanos) {}
}
