package io.txfs.core.inspect.dir;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSink;
import io.txfs.sys.LibC;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Applies layers to a real directory (tests and tools); never follows a symlink it meets. */
public final class DirectoryTreeSink implements TreeSink {
    private final Path root;
    private final byte[] rootBytes;

    public DirectoryTreeSink(Path root) {
        this.root = root.toAbsolutePath();
        this.rootBytes = RawPaths.absolute(this.root);
    }

    private Path path(TreePath p) {
        return RawPaths.resolve(root, rootBytes, p.bytes());
    }

    private byte[] cPath(TreePath p) {
        return RawPaths.join(rootBytes, p.bytes(), true);
    }

    @Override
    public Optional<EntryKind> kind(TreePath p) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path(p), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(EntryKind.fromMode(mode));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(TreePath p) throws IOException {
        requireNotRoot(p);
        Optional<EntryKind> kind = kind(p);
        if (kind.isEmpty()) {
            return;
        }
        if (kind.get() != EntryKind.DIRECTORY) {
            Files.delete(path(p));
            return;
        }
        // walkFileTree does not follow symlinks unless asked: links inside are removed, not entered.
        Files.walkFileTree(path(p), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void clearDirectory(TreePath dir) throws IOException {
        if (kind(dir).orElse(null) != EntryKind.DIRECTORY) {
            return;
        }
        List<Name> names = new DirectoryTreeSource(root).list(dir);
        for (Name n : names) {
            delete(dir.resolve(n));
        }
    }

    @Override
    public void makeDirectory(TreePath p, EntryMetadata meta) throws IOException {
        if (!p.isRoot() && kind(p).orElse(null) != EntryKind.DIRECTORY) {
            delete(p);
            Files.createDirectory(path(p));
        } else {
            removeOtherXattrs(p, meta);
        }
        applyMetadata(p, EntryKind.DIRECTORY, meta);
    }

    /** A kept directory takes the entry's xattrs exactly: those it does not list go. */
    private void removeOtherXattrs(TreePath p, EntryMetadata meta) throws IOException {
        byte[] c = cPath(p);
        for (Name name : DirectoryTreeSource.readXattrs(c).keySet()) {
            if (!meta.xattrs().containsKey(name)
                    && LibC.INSTANCE.lremovexattr(c, RawPaths.cString(name.bytes())) != 0) {
                throw PathCalls.error("lremovexattr " + name, c);
            }
        }
    }

    @Override
    public void writeFile(TreePath p, EntryMetadata meta, InputStream content, long size) throws IOException {
        delete(p);
        try (OutputStream out =
                Files.newOutputStream(path(p), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long copied = content.transferTo(out);
            if (copied != size) {
                throw new IOException("content of '" + p + "' had " + copied + " bytes, expected " + size);
            }
        }
        applyMetadata(p, EntryKind.FILE, meta);
    }

    @Override
    public void makeSymlink(TreePath p, byte[] target, EntryMetadata meta) throws IOException {
        delete(p);
        byte[] c = cPath(p);
        if (LibC.INSTANCE.symlink(RawPaths.cString(target), c) != 0) {
            throw PathCalls.error("symlink", c);
        }
        applyMetadata(p, EntryKind.SYMLINK, meta);
    }

    @Override
    public void makeHardLink(TreePath p, TreePath existing) throws IOException {
        delete(p);
        Files.createLink(path(p), path(existing));
    }

    @Override
    public void makeNode(TreePath p, EntryKind kind, long rdev, EntryMetadata meta) throws IOException {
        if (kind != EntryKind.FIFO && !kind.isDevice()) {
            throw new IllegalArgumentException("not a node kind: " + kind);
        }
        delete(p);
        byte[] c = cPath(p);
        if (LibC.INSTANCE.mknod(c, kind.formatBits() | meta.permissions(), kind.isDevice() ? rdev : 0) != 0) {
            throw PathCalls.error("mknod", c);
        }
        applyMetadata(p, kind, meta);
    }

    @Override
    public void setDirectoryMtime(TreePath p, long mtimeNanos) throws IOException {
        setMtime(cPath(p), mtimeNanos);
    }

    // Through libc, not java.nio: nio's chmod opens the file first, which blocks on a fifo.
    private void applyMetadata(TreePath p, EntryKind kind, EntryMetadata meta) throws IOException {
        byte[] c = cPath(p);
        LibC libc = LibC.INSTANCE;
        if (meta.uid() != null || meta.gid() != null) {
            // chown first: it clears setuid/setgid, which chmod then restores.
            int uid = meta.uid() == null ? -1 : (int) (long) meta.uid();
            int gid = meta.gid() == null ? -1 : (int) (long) meta.gid();
            if (libc.lchown(c, uid, gid) != 0) {
                throw PathCalls.error("lchown", c);
            }
        }
        if (kind != EntryKind.SYMLINK && libc.chmod(c, meta.permissions()) != 0) {
            throw PathCalls.error("chmod", c);
        }
        for (Map.Entry<Name, byte[]> x : meta.xattrs().entrySet()) {
            byte[] v = x.getValue();
            if (libc.lsetxattr(c, RawPaths.cString(x.getKey().bytes()), v, v.length, 0) != 0) {
                throw PathCalls.error("lsetxattr " + x.getKey(), c);
            }
        }
        if (meta.mtimeNanos() != null) {
            setMtime(c, meta.mtimeNanos());
        }
    }

    private static void setMtime(byte[] c, long nanos) throws IOException {
        long[] times = {0, Sys.UTIME_OMIT, Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)};
        if (LibC.INSTANCE.utimensat(Sys.AT_FDCWD, c, times, Sys.AT_SYMLINK_NOFOLLOW) != 0) {
            throw PathCalls.error("utimensat", c);
        }
    }

    private static void requireNotRoot(TreePath p) {
        if (p.isRoot()) {
            throw new IllegalArgumentException("the root cannot be replaced or deleted");
        }
    }
}
