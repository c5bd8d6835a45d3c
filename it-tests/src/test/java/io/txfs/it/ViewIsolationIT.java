package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two views at once on the same paths, through both ways in (view roots in private mount namespaces,
 * the shared root routed by pid) and one of each: nothing one view changes is visible in the other by
 * read, mmap, exec, stat, readdir, lookup or xattrs, and a path may be a file in one view and a
 * directory in the other while both hold descriptors on it. Every step is synchronised through the
 * agents' pipes; both views' kernel caches are warmed before the other view changes anything.
 */
final class ViewIsolationIT {
    /** Which way in each of the two views uses. */
    enum Pair {
        NS_NS(ViewAgent.Way.NAMESPACE, ViewAgent.Way.NAMESPACE),
        ROOT_ROOT(ViewAgent.Way.SHARED_ROOT, ViewAgent.Way.SHARED_ROOT),
        NS_ROOT(ViewAgent.Way.NAMESPACE, ViewAgent.Way.SHARED_ROOT);

        final ViewAgent.Way a;
        final ViewAgent.Way b;

        Pair(ViewAgent.Way a, ViewAgent.Way b) {
            this.a = a;
            this.b = b;
        }

        String dir() {
            return "iso-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final String BASE = "base content\n";
    private static final int MAP_SIZE = 8192;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(ViewIsolationIT::seed);

    private static Path toolA;
    private static Path toolB;
    private static Path toolC;

    private static void seed(Path backing) {
        try {
            for (Pair p : Pair.values()) {
                Path d = Files.createDirectory(backing.resolve(p.dir()));
                Files.writeString(d.resolve("base.txt"), BASE);
                Files.writeString(d.resolve("del.txt"), "to be deleted\n");
                Files.write(d.resolve("m.dat"), "base".repeat(MAP_SIZE / 4).getBytes(StandardCharsets.US_ASCII));
                Files.writeString(backing.resolve("top-" + p.dir() + ".txt"), "top\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void compileTools() throws IOException {
        Path src = MOUNT.scratch().resolve("tool.c");
        Files.writeString(src, """
                #include <stdio.h>
                #include <unistd.h>
                static const char message[] = MESSAGE;
                int main(void) {
                    printf("%s\\n", message);
                    fflush(stdout);
                    char b[64];
                    while (read(0, b, sizeof b) > 0) { }
                    return 0;
                }
                """);
        toolA = compile(src, "tool-a", "I am the tool of view A");
        toolB = compile(src, "tool-b", "I am the tool of view B");
        toolC = compile(src, "tool-c", "I am B's rewritten tool");
    }

    private static Path compile(Path src, String name, String message) {
        Path out = MOUNT.scratch().resolve(name);
        ProcessRun cc = MOUNT.run(
                MOUNT.scratch(),
                List.of("gcc", "-O0", "-o", out.toString(), "-DMESSAGE=\"" + message + "\"", src.toString()));
        assertTrue(cc.succeeded(), cc.describe());
        return out;
    }

    private static String latin1(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String viewName(Pair p, String side, String test) {
        return side + "-" + test + "-" + p.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void contentStatNamesAndXattrsStayInTheirView(Pair pair) {
        String d = pair.dir();
        String base = d + "/base.txt";
        String top = "top-" + d + ".txt";
        try (ViewAgent a = MOUNT.agent(viewName(pair, "a", "content"), pair.a);
                ViewAgent b = MOUNT.agent(viewName(pair, "b", "content"), pair.b)) {
            // warm both views' caches on the published state
            assertEquals(BASE, a.read(base), "A reads the published file");
            assertEquals(BASE, b.read(base), "B reads the published file");
            JsonNode bStat0 = b.stat(base);
            a.list(d);
            b.list(d);
            a.list("");
            b.list("");

            String aContent = "written by view A, longer than the base\n";
            a.write(base, aContent);
            assertEquals(aContent, a.read(base), "A reads its own write");
            assertEquals(BASE, b.read(base), "B must not read A's pending write (read through a warm cache)");
            JsonNode bStat1 = b.stat(base);
            assertEquals(BASE.length(), bStat1.get("size").asInt(), "B's stat size after A's write");
            assertEquals(bStat0.get("mtime_ns").asLong(), bStat1.get("mtime_ns").asLong(), "B's mtime after A's write");
            assertEquals(aContent.length(), a.stat(base).get("size").asInt(), "A's stat size after its write");

            b.write(base, "B!\n");
            assertEquals(aContent, a.read(base), "A must not read B's write");
            assertEquals("B!\n", b.read(base), "B reads its own write");
            assertEquals(3, b.stat(base).get("size").asInt(), "B's size");
            assertEquals(aContent.length(), a.stat(base).get("size").asInt(), "A's size after B's write");

            // create and delete, below a directory and at the mount root
            a.write(d + "/new-a.txt", "new in A\n");
            a.call("unlink", "path", MOUNT.mnt(d + "/del.txt"));
            b.call("unlink", "path", MOUNT.mnt(top));
            a.write("rootnew-" + d + ".txt", "root-level file of A\n");
            assertEquals(List.of("base.txt", "m.dat", "new-a.txt"), a.list(d), "A's listing");
            assertEquals(
                    List.of("base.txt", "del.txt", "m.dat"), b.list(d), "B's listing must not show A's create/delete");
            assertFalse(b.exists(d + "/new-a.txt"), "B must not find A's new file");
            assertEquals("ENOENT", b.errno("read", "path", MOUNT.mnt(d + "/new-a.txt")), "B opening A's new file");
            assertEquals("to be deleted\n", b.read(d + "/del.txt"), "B still reads the file A deleted");
            assertFalse(a.exists(d + "/del.txt"), "A deleted del.txt");
            assertEquals("top\n", a.read(top), "A still reads the root-level file B deleted");
            assertFalse(b.exists(top), "B deleted the root-level file");
            assertFalse(b.exists("rootnew-" + d + ".txt"), "B must not find A's new root-level file");
            assertTrue(a.list("").contains("rootnew-" + d + ".txt"), "A lists its root-level file");
            assertFalse(b.list("").contains("rootnew-" + d + ".txt"), "B's root listing must not show A's file");
            assertTrue(a.list("").contains(top), "A's root listing still shows the file B deleted");
            assertFalse(b.list("").contains(top), "B's root listing does not show the file it deleted");
            assertFalse(a.list("").contains(".txfs"), ".txfs is hidden from readdir");

            // xattrs
            a.call("setxattr", "path", MOUNT.mnt(d + "/base.txt"), "name", "user.color", "value", "red");
            assertEquals(
                    "ENODATA",
                    b.errno("getxattr", "path", MOUNT.mnt(d + "/base.txt"), "name", "user.color"),
                    "B must not see A's xattr");
            b.call("setxattr", "path", MOUNT.mnt(d + "/base.txt"), "name", "user.color", "value", "blue");
            b.call("setxattr", "path", MOUNT.mnt(d + "/base.txt"), "name", "user.only-b", "value", "1");
            assertEquals(
                    "red",
                    a.call("getxattr", "path", MOUNT.mnt(d + "/base.txt"), "name", "user.color")
                            .asText());
            assertEquals(
                    "blue",
                    b.call("getxattr", "path", MOUNT.mnt(d + "/base.txt"), "name", "user.color")
                            .asText());
            assertEquals(
                    "[\"user.color\"]",
                    a.call("listxattr", "path", MOUNT.mnt(d + "/base.txt")).toString(),
                    "A's xattr names");
        }
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void mappingsStayInTheirView(Pair pair) {
        String m = MOUNT.mnt(pair.dir() + "/m.dat");
        String baseData = "base".repeat(MAP_SIZE / 4);
        try (ViewAgent a = MOUNT.agent(viewName(pair, "a", "mmap"), pair.a);
                ViewAgent b = MOUNT.agent(viewName(pair, "b", "mmap"), pair.b)) {
            int bPrivate = b.call("map", "path", m, "shared", false).asInt();
            int bShared = b.call("map", "path", m, "shared", true).asInt();
            assertEquals(
                    baseData, b.call("mapread", "map", bPrivate).asText(), "B's MAP_PRIVATE of the published file");
            assertEquals(baseData, a.read(pair.dir() + "/m.dat"), "A reads the published file");

            String aData = "A".repeat(MAP_SIZE);
            a.write(pair.dir() + "/m.dat", aData);
            assertEquals(baseData, b.call("mapread", "map", bPrivate).asText(), "B's MAP_PRIVATE after A's write()");
            assertEquals(baseData, b.call("mapread", "map", bShared).asText(), "B's MAP_SHARED after A's write()");
            assertEquals(baseData, b.read(pair.dir() + "/m.dat"), "B's read() after A's write()");

            int aShared =
                    a.call("map", "path", m, "shared", true, "writable", true).asInt();
            assertEquals(aData, a.call("mapread", "map", aShared).asText(), "A maps its own content");
            a.call("mapwrite", "map", aShared, "offset", 0, "data", "SHARED-A");
            assertEquals(
                    "SHARED-A" + aData.substring(8),
                    a.read(pair.dir() + "/m.dat"),
                    "A's read() sees its MAP_SHARED store after msync");
            assertEquals(baseData, b.call("mapread", "map", bShared).asText(), "B's MAP_SHARED after A's shared store");
            int bLate = b.call("map", "path", m, "shared", false).asInt();
            assertEquals(baseData, b.call("mapread", "map", bLate).asText(), "a new MAP_PRIVATE in B after A's store");

            int bWritable =
                    b.call("map", "path", m, "shared", true, "writable", true).asInt();
            b.call("mapwrite", "map", bWritable, "offset", 4, "data", "-B-");
            String bData = "base-B-" + baseData.substring(7);
            assertEquals(bData, b.read(pair.dir() + "/m.dat"), "B's read() sees its own MAP_SHARED store");
            assertEquals(
                    "SHARED-A" + aData.substring(8),
                    a.call("mapread", "map", aShared).asText(),
                    "A's mapping after B's store");
            assertEquals("SHARED-A" + aData.substring(8), a.read(pair.dir() + "/m.dat"), "A's read() after B's store");
            for (int id : new int[] {bPrivate, bShared, bLate, bWritable}) {
                b.call("unmap", "map", id);
            }
            a.call("unmap", "map", aShared);
        }
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void executablesStayInTheirView(Pair pair) {
        String tool = pair.dir() + "/tool";
        try (ViewAgent a = MOUNT.agent(viewName(pair, "a", "exec"), pair.a);
                ViewAgent b = MOUNT.agent(viewName(pair, "b", "exec"), pair.b)) {
            a.write(tool, latin1(toolA));
            a.call("chmod", "path", MOUNT.mnt(tool), "mode", 0755);
            b.write(tool, latin1(toolB));
            b.call("chmod", "path", MOUNT.mnt(tool), "mode", 0755);

            JsonNode runningA = a.call("spawn", "argv", List.of(MOUNT.mnt(tool)));
            assertEquals("I am the tool of view A\n", runningA.get("line").asText(), "A executes its own binary");
            JsonNode runningB = b.call("spawn", "argv", List.of(MOUNT.mnt(tool)));
            assertEquals(
                    "I am the tool of view B\n",
                    runningB.get("line").asText(),
                    "B executes its own binary while A's copy runs");
            b.call("finish", "id", runningB.get("id").asInt());

            // A's binary is being executed; B's file at the same path is another file, so writing it works
            b.write(tool, latin1(toolC));
            JsonNode rerunB = b.call("spawn", "argv", List.of(MOUNT.mnt(tool)));
            assertEquals("I am B's rewritten tool\n", rerunB.get("line").asText(), "B executes its rewritten binary");
            assertEquals(
                    "ETXTBSY",
                    a.errno("write", "path", MOUNT.mnt(tool), "data", "x"),
                    "A's own running binary is busy in A");
            JsonNode againA = a.call("spawn", "argv", List.of(MOUNT.mnt(tool)));
            assertEquals("I am the tool of view A\n", againA.get("line").asText(), "A executes its binary again");
            for (JsonNode p : List.of(runningA, againA)) {
                assertEquals(
                        0,
                        a.call("finish", "id", p.get("id").asInt()).get("code").asInt());
            }
            assertEquals(
                    0,
                    b.call("finish", "id", rerunB.get("id").asInt()).get("code").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void aPathIsAFileInOneViewAndADirectoryInTheOther(Pair pair) {
        String p = pair.dir() + "/fd";
        try (ViewAgent a = MOUNT.agent(viewName(pair, "a", "fd"), pair.a);
                ViewAgent b = MOUNT.agent(viewName(pair, "b", "fd"), pair.b)) {
            a.write(p, "a file in view A\n");
            b.call("mkdir", "path", MOUNT.mnt(p));
            b.write(p + "/inner.txt", "inside B's directory\n");
            int fileFd = a.call("open", "path", MOUNT.mnt(p), "how", "r").asInt();
            int dirFd = b.call("open", "path", MOUNT.mnt(p), "how", "dir").asInt();

            assertEquals(
                    "a file in view A\n", a.call("fdread", "fd", fileFd).asText(), "A reads its file by descriptor");
            assertEquals(
                    List.of("inner.txt"), names(b.call("fdlist", "fd", dirFd)), "B lists its directory by descriptor");
            b.call("fdcreate", "fd", dirFd, "name", "more.txt", "data", "more\n");
            assertEquals(
                    "inside B's directory\n",
                    b.call("fdreadat", "fd", dirFd, "name", "inner.txt").asText());
            assertEquals(
                    0100000, a.call("fdstat", "fd", fileFd).get("mode").asInt() & 0170000, "A's descriptor is a file");
            assertEquals(
                    0040000,
                    b.call("fdstat", "fd", dirFd).get("mode").asInt() & 0170000,
                    "B's descriptor is a directory");
            assertEquals(0100000, a.stat(p).get("mode").asInt() & 0170000, "A's path is a file");
            assertEquals(0040000, b.stat(p).get("mode").asInt() & 0170000, "B's path is a directory");
            assertEquals("ENOTDIR", a.errno("read", "path", MOUNT.mnt(p + "/inner.txt")), "A looks inside its file");
            assertEquals("EISDIR", b.errno("read", "path", MOUNT.mnt(p)), "B reads its directory as a file");

            a.call(
                    "fdwrite",
                    "fd",
                    a.call("open", "path", MOUNT.mnt(p), "how", "rw").asInt(),
                    "data",
                    "A!");
            assertEquals(
                    "A!file in view A\n",
                    a.call("fdread", "fd", fileFd).asText(),
                    "A's first descriptor sees its write");
            assertEquals(
                    List.of("inner.txt", "more.txt"),
                    names(b.call("fdlist", "fd", dirFd)),
                    "B's directory after A's write");
            a.call("close", "fd", fileFd);
            b.call("close", "fd", dirFd);
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
