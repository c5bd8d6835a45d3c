package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every entry the shared root hands out is right for every view that walks it. Two views enter through
 * the shared root (`txfs run --namespace never`); one changes a top-level name by each kind of operation
 * that puts an entry under the root (rename into and out of it, exchange, link, symlink, mkdir, mknod,
 * create over a published file, rmdir, a type flip), and the other looks at once (well within the 10 s
 * the kernel keeps a view-private entry) and must see its own view only; then the other changes the same
 * names and the first must see its own. The kernel moves a renamed dentry, with its node id and timeout,
 * to the new name: before rename into the root expired every cached entry, the other view got the
 * renamer's file for 10 s ({@code mv a/y/p b}).
 */
final class SharedRootEntriesIT {
    private static final String P = "p of the published state\n";
    private static final String C = "c\n";
    private static final String ROOT_FILE = "root file\n";

    /** One case per kind of change; each has its own top-level names (prefix), seeded identically. */
    enum Kind {
        RENAME_FILE_INTO_ROOT,
        RENAME_DIR_INTO_ROOT,
        RENAME_OVER_ROOT_FILE,
        RENAME_INTO_ROOT_AND_BACK,
        RENAME_ROOT_INTO_DIR,
        EXCHANGE_WITH_ROOT,
        LINK_INTO_ROOT,
        SYMLINK,
        MKDIR,
        MKNOD,
        CREATE_OVER,
        RMDIR,
        TYPE_FLIP;

        String prefix() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(SharedRootEntriesIT::seed);

    private static void seed(Path backing) {
        try {
            for (Kind k : Kind.values()) {
                String x = k.prefix();
                Files.createDirectories(backing.resolve(x + "-src/y/d"));
                Files.writeString(backing.resolve(x + "-src/y/p"), P);
                Files.writeString(backing.resolve(x + "-src/y/d/c"), C);
                Files.writeString(backing.resolve(x + "-root"), ROOT_FILE);
                Files.createDirectories(backing.resolve(x + "-rootdir"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String file(String content) {
        return "file " + content.length() + " " + content;
    }

    private static final String ABSENT = "error ENOENT";
    private static final String DIR = "dir";

    /** Expected descriptions, built as path, description, path, description, ... */
    private static Map<String, String> state(String... pathsAndDescriptions) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndDescriptions.length; i += 2) {
            m.put(pathsAndDescriptions[i], pathsAndDescriptions[i + 1]);
        }
        return m;
    }

    private static void expect(ViewAgent a, String when, Map<String, String> expected) {
        List<String> paths = expected.keySet().stream().map(MOUNT::mnt).toList();
        JsonNode got = a.call("describe", "paths", paths);
        Map<String, String> actual = new LinkedHashMap<>();
        for (String p : expected.keySet()) {
            actual.put(p, got.path(MOUNT.mnt(p)).asText());
        }
        assertEquals(expected, actual, a + " " + when);
    }

    private static void ok(ViewAgent a, String op, Object... kv) {
        a.call(op, kv);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachViewSeesItsOwnTopLevelNames(Kind kind) {
        String x = kind.prefix();
        String src = x + "-src/y/p";
        String dir = x + "-src/y/d";
        String b = x + "-b";
        String root = x + "-root";
        String rootdir = x + "-rootdir";
        Map<String, String> published =
                state(src, file(P), dir, DIR, dir + "/c", file(C), b, ABSENT, root, file(ROOT_FILE), rootdir, DIR);
        try (ViewAgent one = MOUNT.agent("one-" + x, ViewAgent.Way.SHARED_ROOT);
                ViewAgent two = MOUNT.agent("two-" + x, ViewAgent.Way.SHARED_ROOT)) {
            // both views cache what they see of the published state
            expect(one, "before any change", published);
            expect(two, "before any change", published);
            Map<String, String> mine = new LinkedHashMap<>(published);
            switch (kind) {
                case RENAME_FILE_INTO_ROOT -> {
                    ok(two, "rename", "path", MOUNT.mnt(src), "to", MOUNT.mnt(b));
                    mine.put(src, ABSENT);
                    mine.put(b, file(P));
                }
                case RENAME_DIR_INTO_ROOT -> {
                    ok(two, "rename", "path", MOUNT.mnt(dir), "to", MOUNT.mnt(b));
                    mine.put(dir, ABSENT);
                    mine.put(dir + "/c", ABSENT);
                    mine.put(b, DIR);
                }
                case RENAME_OVER_ROOT_FILE -> {
                    ok(two, "rename", "path", MOUNT.mnt(src), "to", MOUNT.mnt(root));
                    mine.put(src, ABSENT);
                    mine.put(root, file(P));
                }
                case RENAME_INTO_ROOT_AND_BACK -> {
                    ok(two, "rename", "path", MOUNT.mnt(src), "to", MOUNT.mnt(b));
                    expect(one, "after the other view renamed " + src + " to " + b, published);
                    ok(two, "rename", "path", MOUNT.mnt(b), "to", MOUNT.mnt(dir + "/p"));
                    mine.put(src, ABSENT);
                    mine.put(dir + "/p", file(P));
                }
                case RENAME_ROOT_INTO_DIR -> {
                    ok(two, "rename", "path", MOUNT.mnt(root), "to", MOUNT.mnt(dir + "/r"));
                    mine.put(root, ABSENT);
                    mine.put(dir + "/r", file(ROOT_FILE));
                }
                case EXCHANGE_WITH_ROOT -> {
                    ok(two, "exchange", "src", MOUNT.mnt(src), "dst", MOUNT.mnt(root));
                    mine.put(src, file(ROOT_FILE));
                    mine.put(root, file(P));
                }
                case LINK_INTO_ROOT -> {
                    ok(two, "link", "src", MOUNT.mnt(src), "dst", MOUNT.mnt(b));
                    mine.put(b, file(P));
                }
                case SYMLINK -> {
                    ok(two, "symlink", "target", "somewhere", "path", MOUNT.mnt(b));
                    mine.put(b, "symlink somewhere");
                }
                case MKDIR -> {
                    ok(two, "mkdir", "path", MOUNT.mnt(b));
                    two.write(b + "/f", "f\n");
                    mine.put(b, DIR);
                    mine.put(b + "/f", file("f\n"));
                }
                case MKNOD -> {
                    ok(two, "mkfifo", "path", MOUNT.mnt(b));
                    mine.put(b, "fifo");
                }
                case CREATE_OVER -> {
                    two.write(root, "two's\n");
                    mine.put(root, file("two's\n"));
                }
                case RMDIR -> {
                    ok(two, "rmdir", "path", MOUNT.mnt(rootdir));
                    mine.put(rootdir, ABSENT);
                }
                case TYPE_FLIP -> {
                    ok(two, "unlink", "path", MOUNT.mnt(root));
                    ok(two, "mkdir", "path", MOUNT.mnt(root));
                    two.write(root + "/g", "g\n");
                    ok(two, "rmdir", "path", MOUNT.mnt(rootdir));
                    two.write(rootdir, "now a file\n");
                    mine.put(root, DIR);
                    mine.put(root + "/g", file("g\n"));
                    mine.put(rootdir, file("now a file\n"));
                }
            }
            // what a name below the changed ones is in each state: absent, or below a file
            String rootIs = mine.get(root);
            mine.putIfAbsent(root + "/g", rootIs.equals(ABSENT) ? ABSENT : "error ENOTDIR");
            for (String k : mine.keySet()) {
                published.putIfAbsent(k, k.equals(root + "/g") ? "error ENOTDIR" : ABSENT);
            }
            expect(one, "right after the other view's " + kind, published);
            expect(two, "after its own " + kind, mine);

            // the other direction: the first view changes the same names its own way
            Map<String, String> ones = new LinkedHashMap<>(published);
            ok(one, "unlink", "path", MOUNT.mnt(root));
            ok(one, "mkdir", "path", MOUNT.mnt(root));
            one.write(root + "/g", "one's g\n");
            ok(one, "rename", "path", MOUNT.mnt(src), "to", MOUNT.mnt(b));
            ok(one, "rmdir", "path", MOUNT.mnt(rootdir));
            ok(one, "symlink", "target", "ones", "path", MOUNT.mnt(rootdir));
            ones.put(root, DIR);
            ones.put(root + "/g", file("one's g\n"));
            ones.put(src, ABSENT);
            ones.put(b, file(P));
            ones.put(rootdir, "symlink ones");
            ones.replaceAll((k, v) -> k.startsWith(b + "/") ? "error ENOTDIR" : v); // b is a file now
            expect(two, "right after the first view's changes of the same names", mine);
            expect(one, "after its own changes", ones);
            expect(two, "again", mine);
        }
    }
}
