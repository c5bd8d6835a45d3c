package io.txfs.core.inspect.dir;

import io.txfs.sys.Errno;
import io.txfs.sys.PathCalls;
import io.txfs.sys.LibC;
import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
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
        return RawPaths.resolve(root, rootBytes, path);
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
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,rdev,nlink,ino,dev",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        EntryKind kind = EntryKind.fromMode(mode);
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        return new EntryStat(kind, mode & 07777, Integer.toUnsignedLong((Integer) a.get("uid")),
                Integer.toUnsignedLong((Integer) a.get("gid")), (Long) a.get("size"), mtime,
                kind.isDevice() ? (Long) a.get("rdev") : 0, (Integer) a.get("nlink"),
                List.of(a.get("dev"), a.get("ino")));
    }

    @Override
    public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
        byte[] c = RawPaths.cString(rootBytes, path, true);
        return readXattrs(c);
    }

    /** Every extended attribute of the file at cPath (NUL-terminated), without following a symlink. */
    public static SortedMap<Name, byte[]> readXattrs(byte[] cPath) throws IOException {
        LibC libc = LibC.INSTANCE;
        SortedMap<Name, byte[]> out = new TreeMap<>();
        byte[] list = new byte[0];
        long n;
        while (true) {
            n = libc.llistxattr(cPath, list, list.length);
            if (n >= 0 && (list.length > 0 || n == 0)) {
                break;
            }
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == Errno.ENOTSUP.code()) {
                    return out;
                }
                if (errno != Errno.ERANGE.code()) {
                    throw PathCalls.error("llistxattr", cPath);
                }
                list = new byte[Math.max(64, list.length * 2)];
            } else {
                list = new byte[(int) n];
            }
        }
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] == 0) {
                byte[] name = Arrays.copyOfRange(list, start, i);
                byte[] value = readXattr(cPath, name);
                if (value != null) {
                    out.put(Name.xattr(name), value);
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static byte[] readXattr(byte[] cPath, byte[] name) throws IOException {
        LibC libc = LibC.INSTANCE;
        byte[] cName = RawPaths.cString(name);
        while (true) {
            long size = libc.lgetxattr(cPath, cName, new byte[0], 0);
            if (size < 0) {
                if (LibC.errno() == Errno.ENODATA.code()) {
                    return null;
                }
                throw PathCalls.error("lgetxattr", cPath);
            }
            byte[] value = new byte[(int) size];
            long got = libc.lgetxattr(cPath, cName, value, value.length);
            if (got >= 0) {
                return Arrays.copyOf(value, (int) got);
            }
            if (LibC.errno() != Errno.ERANGE.code()) {
                throw PathCalls.error("lgetxattr", cPath);
            }
        }
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        return Files.newInputStream(toPath(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public byte[] readLink(TreePath path) throws IOException {
        return PathCalls.readLink(RawPaths.cString(rootBytes, path, true));
    }
}
