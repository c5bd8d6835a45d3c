package io.txfs.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Describes a directory tree (real or seen through a view) as path -> "type:content" for comparison. */
final class Trees {
    private Trees() {}

    static TreeMap<String, String> ofDisk(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(all::add);
        }
        for (Path p : all) {
            if (p.equals(root)) continue;
            String rel = root.relativize(p).toString();
            if (rel.equals(".txfs.flush") || rel.startsWith(".txfs.flush/")) {
                out.put(rel, "staging-left-behind");
                continue;
            }
            if (Files.isSymbolicLink(p)) out.put(rel, "l:" + Files.readSymbolicLink(p));
            else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) out.put(rel, "d");
            else out.put(rel, "f:" + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    static TreeMap<String, String> ofView(Engine e, View v) {
        TreeMap<String, String> out = new TreeMap<>();
        walk(e, v, Engine.ROOT, "", out);
        return out;
    }

    private static void walk(Engine e, View v, long dir, String prefix, Map<String, String> out) {
        for (DirEntry d : e.readdir(v, dir)) {
            String p = prefix.isEmpty() ? d.nameString() : prefix + "/" + d.nameString();
            switch (d.type()) {
                case DIRECTORY -> {
                    out.put(p, "d");
                    walk(e, v, d.ino(), p, out);
                }
                case SYMLINK -> out.put(p, "l:" + new String(e.readlink(v, d.ino()), StandardCharsets.UTF_8));
                case REGULAR -> {
                    Attr a = e.getattr(v, d.ino());
                    out.put(p, "f:" + new String(e.read(v, d.ino(), 0, (int) a.size()), StandardCharsets.ISO_8859_1));
                }
                default -> out.put(p, "s:" + d.type());
            }
        }
    }
}
