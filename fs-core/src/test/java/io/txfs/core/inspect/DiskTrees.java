package io.txfs.core.inspect;

import io.txfs.core.inspect.dir.DirectoryTreeSink;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Random trees on disk and the little process plumbing tests need. */
final class DiskTrees {
    private static final String[] NAMES = {
        "a", "b", "c.txt", "dir", "with space", "ünï", "x-y", "Z", "a.b", "long-" + "n".repeat(120)
    };
    private static final int[] PERMS = {0644, 0755, 0600, 0700, 0640, 04755, 0444};

    private DiskTrees() {}

    /** cp -a: ownership, modes, xattrs, links and times as they are. */
    static void copy(Path from, Path to) throws IOException, InterruptedException {
        run("cp", "-a", from.toString(), to.toString());
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Applies {@code ops} random creations, modifications, deletions and type changes. */
    static void mutate(Path root, Random rnd, int ops, boolean xattrs) throws IOException {
        DirectoryTreeSink sink = new DirectoryTreeSink(root);
        DirectoryTreeSource src = new DirectoryTreeSource(root);
        for (int i = 0; i < ops; i++) {
            List<TreePath> dirs = new ArrayList<>();
            List<TreePath> all = new ArrayList<>();
            collect(src, TreePath.root(), dirs, all);
            TreePath dir = dirs.get(rnd.nextInt(dirs.size()));
            TreePath target = rnd.nextInt(3) == 0 && !all.isEmpty()
                    ? all.get(rnd.nextInt(all.size()))
                    : dir.resolve(randomName(rnd));
            if (target.names().size() > 4) {
                continue;
            }
            int perms = PERMS[rnd.nextInt(PERMS.length)];
            EntryMetadata meta = new EntryMetadata(
                    perms, null, null, null, xattrs && rnd.nextInt(4) == 0 ? xattr(rnd) : new TreeMap<>());
            switch (rnd.nextInt(8)) {
                case 0, 1 -> {
                    byte[] content = new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(3000) : rnd.nextInt(20)];
                    rnd.nextBytes(content);
                    sink.writeFile(target, meta, new ByteArrayInputStream(content), content.length);
                }
                case 2 -> sink.makeDirectory(target, new EntryMetadata(perms | 0700, null, null, null, meta.xattrs()));
                case 3 ->
                    sink.makeSymlink(
                            target,
                            ("../t" + rnd.nextInt(5)).getBytes(StandardCharsets.UTF_8),
                            new EntryMetadata(0777, null, null, null, new TreeMap<>()));
                case 4 -> {
                    if (!target.isRoot()) {
                        sink.delete(target);
                    }
                }
                case 5 -> {
                    if (sink.kind(target).orElse(null) == EntryKind.FILE) {
                        Files.setPosixFilePermissions(
                                src.toPath(target),
                                PosixFilePermissions.fromString(rnd.nextBoolean() ? "rwxr-xr-x" : "rw-------"));
                    }
                }
                case 7 -> {
                    List<TreePath> files = new ArrayList<>();
                    for (TreePath p : all) {
                        if (src.stat(p).kind() == EntryKind.FILE) {
                            files.add(p);
                        }
                    }
                    TreePath fresh = dir.resolve(randomName(rnd));
                    if (!files.isEmpty()
                            && !files.contains(fresh)
                            && sink.kind(fresh).isEmpty()) {
                        sink.makeHardLink(fresh, files.get(rnd.nextInt(files.size())));
                    }
                }
                default -> {
                    if (!dir.isRoot() && rnd.nextInt(3) == 0) {
                        sink.delete(dir);
                    } else {
                        sink.makeNode(
                                target,
                                EntryKind.FIFO,
                                0,
                                GitCompatibilityTest.fileMeta(perms)); // user.* xattrs: regular files and dirs only
                    }
                }
            }
        }
    }

    private static Name randomName(Random rnd) {
        int i = rnd.nextInt(NAMES.length + 1);
        return i < NAMES.length ? Name.of(NAMES[i]) : Name.of(new byte[] {'r', (byte) 0xff, (byte) 0xc3});
    }

    private static TreeMap<Name, byte[]> xattr(Random rnd) {
        TreeMap<Name, byte[]> x = new TreeMap<>();
        x.put(
                Name.xattr("user.k" + rnd.nextInt(3)),
                rnd.nextBoolean()
                        ? "text".getBytes(StandardCharsets.UTF_8)
                        : new byte[] {(byte) 0xff, 0, (byte) rnd.nextInt()});
        return x;
    }

    private static void collect(TreeSource src, TreePath dir, List<TreePath> dirs, List<TreePath> all)
            throws IOException {
        dirs.add(dir);
        for (Name n : src.list(dir)) {
            TreePath p = dir.resolve(n);
            all.add(p);
            if (src.stat(p).kind() == EntryKind.DIRECTORY) {
                collect(src, p, dirs, all);
            }
        }
    }

    static Map<String, ObjectId> ids(Path root) throws IOException {
        DirectoryTreeSource src = new DirectoryTreeSource(root);
        Map<String, ObjectId> ids = new TreeMap<>();
        ids.put("git-sha1", new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1)).hash(src, TreePath.root()));
        ids.put("git-sha256", new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA256)).hash(src, TreePath.root()));
        ids.put(
                "extended",
                new TreeHasher(TreeIdOptions.extended(ObjectFormat.SHA256, false)).hash(src, TreePath.root()));
        return ids;
    }
}
