package io.txfs.core.inspect.engine;

import io.txfs.core.Engine;
import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSink;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a layer into an engine view, through the view's ordinary node operations (so every change
 * is part of the view's pending delta, conflict-checked at publish like any other write).
 *
 * <p>On an error in the middle of an apply (store failure, a name the engine refuses) the changes made
 * so far stay in the view's pending delta and nothing else is touched: the published state and other
 * views never see them. The caller decides what to do with the view: import into a view of its own
 * and {@code abort}/discard it on failure. {@code OciLayerImporter} validates the whole layer before
 * the first call, so a rejected layer makes no call here at all.
 *
 * <p>{@code .txfs} at the root is refused (the engine reserves it). Extended attribute names must be
 * UTF-8 (the engine keys them by string); others fail the apply.
 */
public final class ViewTreeSink implements TreeSink {
    private final Engine engine;
    private final View view;
    private final Caller owner;

    /** {@code owner} owns what is created when the layer's metadata gives no uid/gid. */
    public ViewTreeSink(Engine engine, View view, Caller owner) {
        this.engine = engine;
        this.view = view;
        this.owner = owner;
    }

    @Override
    public Optional<EntryKind> kind(TreePath path) throws IOException {
        Optional<Long> ino = find(path);
        if (ino.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(EngineTrees.kind(engine.getattr(view, ino.get()).type()));
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    /** The node at {@code path} now (looked up afresh: the sink changes the tree), empty when absent. */
    private Optional<Long> find(TreePath path) throws IOException {
        long cur = Engine.ROOT;
        for (Name n : path.names()) {
            byte[] name = n.bytes();
            if (cur == Engine.ROOT && Arrays.equals(name, EngineTrees.RESERVED)) {
                return Optional.empty();
            }
            try {
                NodeAttributes a = engine.lookup(view, cur, name);
                cur = a.ino();
            } catch (FsException e) {
                if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                    return Optional.empty();
                }
                throw EngineTrees.io(e, path);
            }
        }
        return Optional.of(cur);
    }

    private long parentOf(TreePath path) throws IOException {
        if (path.isRoot()) {
            throw new IOException("the root has no parent");
        }
        Optional<Long> p = find(path.parent());
        if (p.isEmpty()) {
            throw new NoSuchFileException(path.parent().toString());
        }
        return p.get();
    }

    private static byte[] nameOf(TreePath path, long parent) throws IOException {
        byte[] name = path.name().bytes();
        if (parent == Engine.ROOT && Arrays.equals(name, EngineTrees.RESERVED)) {
            throw new IOException(".txfs is reserved at the root of a view");
        }
        return name;
    }

    @Override
    public void delete(TreePath path) throws IOException {
        if (path.isRoot()) {
            throw new IOException("cannot delete the root");
        }
        Optional<Long> ino = find(path);
        if (ino.isEmpty()) {
            return;
        }
        long parent = parentOf(path);
        try {
            if (engine.getattr(view, ino.get()).type() == FileType.DIRECTORY) {
                clearDirectory(path);
                engine.rmdir(view, parent, path.name().bytes());
            } else {
                engine.unlink(view, parent, path.name().bytes());
            }
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public void clearDirectory(TreePath dir) throws IOException {
        Optional<Long> ino = find(dir);
        if (ino.isEmpty()) {
            throw new NoSuchFileException(dir.toString());
        }
        try {
            for (DirEntry d : engine.readdir(view, ino.get())) {
                if (ino.get() == Engine.ROOT && Arrays.equals(d.name(), EngineTrees.RESERVED)) {
                    continue;
                }
                delete(dir.resolve(Name.of(d.name())));
            }
        } catch (FsException e) {
            throw EngineTrees.io(e, dir);
        }
    }

    @Override
    public void makeDirectory(TreePath path, EntryMetadata meta) throws IOException {
        try {
            Optional<Long> existing = find(path);
            long ino;
            if (existing.isPresent() && engine.getattr(view, existing.get()).type() == FileType.DIRECTORY) {
                ino = existing.get();
            } else {
                delete(path);
                long parent = parentOf(path);
                ino = engine.mkdir(view, parent, nameOf(path, parent), meta.permissions(), owner)
                        .ino();
            }
            apply(ino, EntryKind.DIRECTORY, meta, path);
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public void writeFile(TreePath path, EntryMetadata meta, InputStream content, long size) throws IOException {
        delete(path);
        long parent = parentOf(path);
        try {
            long ino = engine.create(view, parent, nameOf(path, parent), meta.permissions(), owner)
                    .ino();
            byte[] buf = new byte[Engine.CHUNK];
            long offset = 0;
            while (offset < size) {
                int want = (int) Math.min(buf.length, size - offset);
                int n = content.readNBytes(buf, 0, want);
                if (n < want) {
                    throw new IOException(path + ": content ended after " + (offset + n) + " of " + size + " bytes");
                }
                engine.write(view, ino, offset, n == buf.length ? buf : Arrays.copyOf(buf, n));
                offset += n;
            }
            apply(ino, EntryKind.FILE, meta, path);
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public void makeSymlink(TreePath path, byte[] target, EntryMetadata meta) throws IOException {
        delete(path);
        long parent = parentOf(path);
        try {
            long ino = engine.symlink(view, parent, nameOf(path, parent), target, owner)
                    .ino();
            apply(ino, EntryKind.SYMLINK, meta, path);
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public void makeHardLink(TreePath path, TreePath existing) throws IOException {
        Optional<Long> target = find(existing);
        if (target.isEmpty()) {
            throw new NoSuchFileException(existing.toString());
        }
        if (find(path).equals(target)) {
            return;
        }
        delete(path);
        long parent = parentOf(path);
        try {
            engine.link(view, target.get(), parent, nameOf(path, parent));
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public void makeNode(TreePath path, EntryKind kind, long rdev, EntryMetadata meta) throws IOException {
        delete(path);
        long parent = parentOf(path);
        try {
            long ino = engine.mknod(
                            view,
                            parent,
                            nameOf(path, parent),
                            EngineTrees.fileType(kind),
                            meta.permissions(),
                            kind.isDevice() ? rdev : 0,
                            owner)
                    .ino();
            apply(ino, kind, meta, path);
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    @Override
    public void setDirectoryMtime(TreePath path, long mtimeNanos) throws IOException {
        Optional<Long> ino = find(path);
        if (ino.isEmpty()) {
            throw new NoSuchFileException(path.toString());
        }
        try {
            engine.setattr(view, ino.get(), AttributeChange.times(null, mtimeNanos));
        } catch (FsException e) {
            throw EngineTrees.io(e, path);
        }
    }

    /** Mode, owner, mtime and exactly the given xattrs. */
    private void apply(long ino, EntryKind kind, EntryMetadata meta, TreePath path) throws IOException {
        Integer perm = kind == EntryKind.SYMLINK ? null : meta.permissions();
        Integer uid = meta.uid() == null ? null : Math.toIntExact(meta.uid());
        Integer gid = meta.gid() == null ? null : Math.toIntExact(meta.gid());
        engine.setattr(view, ino, new AttributeChange(perm, uid, gid, null, null, meta.mtimeNanos()));
        for (String old : engine.listxattr(view, ino)) {
            if (!meta.xattrs().containsKey(Name.xattr(old))) {
                engine.removexattr(view, ino, old);
            }
        }
        for (Map.Entry<Name, byte[]> x : meta.xattrs().entrySet()) {
            String name = Name.Bytes.utf8OrNull(x.getKey().bytes());
            if (name == null) {
                throw new IOException(
                        path + ": xattr name " + x.getKey() + " is not UTF-8 (the engine cannot store it)");
            }
            engine.setxattr(view, ino, name, x.getValue(), 0);
        }
    }
}
