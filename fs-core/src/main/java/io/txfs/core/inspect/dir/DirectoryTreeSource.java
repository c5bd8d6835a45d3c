package io.txfs.core.inspect.dir;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Xattrs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A real directory tree read with lstat semantics and raw name bytes. It offers no version tokens. */
public final class DirectoryTreeSource implements TreeSource {
    private final Path root;
    private final byte[] rootBytes;

    public DirectoryTreeSource(Path root) {
        this.root = root.toAbsolutePath();
        this.rootBytes = RawPaths.absolute(this.root);
    }

    /** The java.nio path of a tree path (exact bytes, whatever the JVM's file name encoding). */
    public Path toPath(TreePath path) {
        return RawPaths.resolve(root, rootBytes, path.bytes());
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        List<Name> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(toPath(dir))) {
            for (Path p : ds) {
                names.add(Name.of(RawPaths.fileName(p)));
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        return statOf(toPath(path));
    }

    static EntryStat statOf(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(
                p, "unix:mode,uid,gid,size,lastModifiedTime,rdev,nlink,ino,dev", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        EntryKind kind = EntryKind.fromMode(mode);
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        return new EntryStat(
                kind,
                mode & 07777,
                Integer.toUnsignedLong((Integer) a.get("uid")),
                Integer.toUnsignedLong((Integer) a.get("gid")),
                (Long) a.get("size"),
                mtime,
                kind.isDevice() ? (Long) a.get("rdev") : 0,
                (Integer) a.get("nlink"),
                List.of(a.get("dev"), a.get("ino")));
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        byte[] c = RawPaths.join(rootBytes, path.bytes(), true);
        return readXattrs(c);
    }

    /** Every extended attribute of the file at cPath (NUL-terminated), without following a symlink. */
    public static SortedMap<Name, byte[]> readXattrs(byte[] cPath) throws IOException {
        SortedMap<Name, byte[]> out = new TreeMap<>();
        for (Xattrs.Xattr x : Xattrs.list(cPath)) {
            out.put(Name.xattr(x.name()), x.value());
        }
        return out;
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return Files.newInputStream(toPath(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return PathCalls.readLink(RawPaths.join(rootBytes, path.bytes(), true));
    }
}
