package io.txfs.core;

import io.txfs.core.inspect.dir.DirectoryTreeSource;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Describes a tree — the backing directory on disk, or a view of the engine — as path -> every property a
 * flush must carry over (SPEC "Flush is faithful"): type, mode with set-uid/set-gid/sticky, owner, size,
 * content digest, rdev, nanosecond mtime (symlinks and directories too), user xattrs, and the hard-link
 * group of every non-directory. Special files are never opened (lstat, readlink and l*xattr only).
 * The root is the entry "/". Atimes are left out: reading the content to compare it changes them.
 */
final class FaithfulTrees {
    private FaithfulTrees() {}

    /** One node as both sides can describe it. */
    private record Node(
            String type,
            int perm,
            int uid,
            int gid,
            long size,
            String content,
            long rdev,
            long mtimeNs,
            SortedMap<String, String> xattrs,
            Object identity) {}

    static TreeMap<String, String> ofDisk(Path root) throws IOException {
        Map<String, Node> nodes = new TreeMap<>();
        nodes.put("/", disk(root));
        walkDisk(root, "", nodes);
        return describe(nodes);
    }

    static TreeMap<String, String> ofView(Engine e, View v) {
        Map<String, Node> nodes = new TreeMap<>();
        nodes.put("/", view(e, v, Engine.ROOT));
        walkView(e, v, Engine.ROOT, "", nodes);
        return describe(nodes);
    }

    private static void walkDisk(Path dir, String prefix, Map<String, Node> out) throws IOException {
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(all::add);
        }
        for (Path p : all) {
            String name = new String(RawPaths.fileName(p), StandardCharsets.ISO_8859_1);
            String rel = prefix.isEmpty() ? name : prefix + "/" + name;
            Node n = disk(p);
            out.put(rel, n);
            if (n.type().equals("d")) walkDisk(p, rel, out);
        }
    }

    private static Node disk(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(
                p, "unix:mode,uid,gid,size,lastModifiedTime,rdev,dev,ino", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        FileType t = FileType.fromMode(mode);
        byte[] c = RawPaths.cString(RawPaths.absolute(p));
        String content = switch (t) {
            case REGULAR -> digest(Files.readAllBytes(p));
            case SYMLINK -> new String(PathCalls.readLink(c), StandardCharsets.ISO_8859_1);
            default -> "";
        };
        SortedMap<String, String> x = new TreeMap<>();
        for (var en : DirectoryTreeSource.readXattrs(c).entrySet()) {
            String n = new String(en.getKey().bytes(), StandardCharsets.UTF_8);
            if (n.startsWith("user.")) x.put(n, digest(en.getValue()));
        }
        long size = t == FileType.REGULAR || t == FileType.SYMLINK ? (Long) a.get("size") : 0;
        boolean dev = t == FileType.CHAR_DEVICE || t == FileType.BLOCK_DEVICE;
        return new Node(
                letter(t),
                mode & 07777,
                (Integer) a.get("uid"),
                (Integer) a.get("gid"),
                size,
                content,
                dev ? (Long) a.get("rdev") : 0,
                ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                x,
                a.get("dev") + ":" + a.get("ino"));
    }

    private static void walkView(Engine e, View v, long dir, String prefix, Map<String, Node> out) {
        for (DirEntry d : e.readdir(v, dir)) {
            String name = new String(d.name(), StandardCharsets.ISO_8859_1);
            String rel = prefix.isEmpty() ? name : prefix + "/" + name;
            out.put(rel, view(e, v, d.ino()));
            if (d.type() == FileType.DIRECTORY) walkView(e, v, d.ino(), rel, out);
        }
    }

    private static Node view(Engine e, View v, long ino) {
        NodeAttributes a = e.getattr(v, ino);
        String content = switch (a.type()) {
            case REGULAR -> digest(e.read(v, ino, 0, (int) a.size()));
            case SYMLINK -> new String(e.readlink(v, ino), StandardCharsets.ISO_8859_1);
            default -> "";
        };
        SortedMap<String, String> x = new TreeMap<>();
        for (String n : e.listxattr(v, ino)) if (n.startsWith("user.")) x.put(n, digest(e.getxattr(v, ino, n)));
        long size = a.type() == FileType.REGULAR || a.type() == FileType.SYMLINK ? a.size() : 0;
        boolean dev = a.type() == FileType.CHAR_DEVICE || a.type() == FileType.BLOCK_DEVICE;
        return new Node(
                letter(a.type()), a.perm(), a.uid(), a.gid(), size, content, dev ? a.rdev() : 0, a.mtimeNs(), x, ino);
    }

    /** Identities become link groups (the sorted paths sharing one non-directory object). */
    private static TreeMap<String, String> describe(Map<String, Node> nodes) {
        Map<Object, List<String>> groups = new TreeMap<>(Comparator.comparing(Object::toString));
        for (var en : nodes.entrySet()) {
            if (!en.getValue().type().equals("d"))
                groups.computeIfAbsent(en.getValue().identity(), k -> new ArrayList<>())
                        .add(en.getKey());
        }
        TreeMap<String, String> out = new TreeMap<>();
        for (var en : nodes.entrySet()) {
            Node n = en.getValue();
            List<String> group = n.type().equals("d") ? List.of() : groups.get(n.identity());
            out.put(
                    en.getKey(),
                    String.format(
                            "%s mode=%05o uid=%d gid=%d size=%d rdev=%d mtime=%d content=%s xattrs=%s links=%s",
                            n.type(),
                            n.perm(),
                            n.uid(),
                            n.gid(),
                            n.size(),
                            n.rdev(),
                            n.mtimeNs(),
                            n.content(),
                            n.xattrs(),
                            group.size() > 1 ? group : "-"));
        }
        return out;
    }

    private static String letter(FileType t) {
        return switch (t) {
            case REGULAR -> "f";
            case DIRECTORY -> "d";
            case SYMLINK -> "l";
            case FIFO -> "p";
            case CHAR_DEVICE -> "c";
            case BLOCK_DEVICE -> "b";
            case SOCKET -> "s";
        };
    }

    private static String digest(byte[] b) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
