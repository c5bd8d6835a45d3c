package io.txfs.core;

import io.txfs.core.model.DirEntry;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.tree.View;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Describes a directory tree (real or seen through a view) as path -> "type:content" for comparison. */
final class Trees {
    private Trees() {}

    /** Keys and symlink targets are raw bytes (ISO-8859-1), so names that are not UTF-8 compare exactly. */
    /** Deletes a directory tree of the test's own (symlinks deleted, not followed). */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException ex) throws IOException {
                if (ex != null) throw ex;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static TreeMap<String, String> ofDisk(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        walkDisk(root, "", out);
        return out;
    }

    private static void walkDisk(Path dir, String prefix, Map<String, String> out) throws IOException {
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(all::add);
        }
        for (Path p : all) {
            String name = new String(RawPaths.fileName(p), StandardCharsets.ISO_8859_1);
            String rel = prefix.isEmpty() ? name : prefix + "/" + name;
            if (rel.equals(".txfs.flush")) {
                out.put(rel, "staging-left-behind");
                continue;
            }
            if (Files.isSymbolicLink(p)) {
                out.put(
                        rel,
                        "l:"
                                + new String(
                                        PathCalls.readLink(RawPaths.cString(RawPaths.absolute(p))),
                                        StandardCharsets.ISO_8859_1));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.put(rel, "d");
                walkDisk(p, rel, out);
            } else {
                out.put(rel, "f:" + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
    }

    static TreeMap<String, String> ofView(Engine e, View v) {
        TreeMap<String, String> out = new TreeMap<>();
        walk(e, v, Engine.ROOT, "", out);
        return out;
    }

    private static void walk(Engine e, View v, long dir, String prefix, Map<String, String> out) {
        for (DirEntry d : e.readdir(v, dir)) {
            String name = new String(d.name(), StandardCharsets.ISO_8859_1);
            String p = prefix.isEmpty() ? name : prefix + "/" + name;
            switch (d.type()) {
                case DIRECTORY -> {
                    out.put(p, "d");
                    walk(e, v, d.ino(), p, out);
                }
                case SYMLINK -> out.put(p, "l:" + new String(e.readlink(v, d.ino()), StandardCharsets.ISO_8859_1));
                case REGULAR -> {
                    NodeAttributes a = e.getattr(v, d.ino());
                    out.put(p, "f:" + new String(e.read(v, d.ino(), 0, (int) a.size()), StandardCharsets.ISO_8859_1));
                }
                default -> out.put(p, "s:" + d.type());
            }
        }
    }
}
