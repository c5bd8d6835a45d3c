package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kernel's caches in views (docs/kernel-caches.md), observed through the daemon's request counters
 * (the {@code stats} control verb): a warm pass over a tree in a {@code txfs run} view is answered by
 * the kernel (cached listings, entries and attributes), and what changes behind the kernel's back still
 * reaches it: a publish seen by a read-committed view, a change the same view made through the shared root.
 */
final class KernelCacheIT {
    private static final int DIRS = 20;
    private static final int FILES = 25;
    /** The kernel may keep view-private entries this long (ViewMount.DEFAULT_TTL_NANOS). */
    private static final Duration ENTRY_TTL = Duration.ofSeconds(10);

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(KernelCacheIT::seed);

    private static void seed(Path backing) {
        try {
            for (int d = 0; d < DIRS; d++) {
                Path dir = Files.createDirectories(backing.resolve("tree/d" + d));
                for (int f = 0; f < FILES; f++) {
                    Files.writeString(dir.resolve("f" + f), "x".repeat(f));
                }
            }
            Files.createDirectories(backing.resolve("pub"));
            Files.writeString(backing.resolve("pub/old.txt"), "old\n");
            Files.writeString(backing.resolve("pub/kept.txt"), "kept\n");
            Files.createDirectories(backing.resolve("snap"));
            Files.writeString(backing.resolve("snap/page.txt"), "page one\n");
            Files.createDirectories(backing.resolve("added"));
            Files.writeString(backing.resolve("added/a.txt"), "a\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode stats(ViewAgent a) {
        JsonNode r = a.ctl("stats");
        assertTrue(r.path("errno").isNull(), "stats: " + r);
        return r.path("reply").path("requests");
    }

    private static long delta(JsonNode after, JsonNode before, String opcode) {
        return after.path(opcode).asLong(0) - before.path(opcode).asLong(0);
    }

    private static String find(ViewAgent a) {
        JsonNode r = a.call("run", "argv", List.of("find", MOUNT.mnt("tree"), "-printf", "%p %s %m\n"));
        assertEquals(0, r.get("code").asInt(), "find: " + r);
        return r.get("out").asText();
    }

    @Test
    void aWarmFindInARunViewAsksTheDaemonForNoListingOrLookup() {
        try (ViewAgent a = MOUNT.agent("kc-find", ViewAgent.Way.NAMESPACE)) {
            String cold = find(a);
            long coldDone = System.nanoTime();
            JsonNode s1 = stats(a);
            JsonNode s2 = stats(a); // s2 - s1: what one stats call costs by itself (.txfs and ctl are never cached)
            String warm = find(a);
            JsonNode s3 = stats(a);
            // a guard, not a timing assertion: entries the kernel may keep 10 s cannot be asked to outlive them
            assumeTrue(
                    System.nanoTime() - coldDone < ENTRY_TTL.toNanos() / 2,
                    "the machine took too long between the passes");
            assertEquals(cold, warm, "both passes see the same tree");
            assertEquals(DIRS * (FILES + 1) + 1, warm.lines().count(), "find saw the whole tree");
            for (String op : List.of("READDIR", "READDIRPLUS", "LOOKUP")) {
                assertEquals(
                        delta(s2, s1, op),
                        delta(s3, s2, op),
                        op
                                + " requests during the warm pass (beyond the stats call's own): the kernel should answer from its caches\n"
                                + "before: " + s2 + "\nafter: " + s3);
            }
            assertTrue(
                    delta(s3, s2, "GETATTR") - delta(s2, s1, "GETATTR") <= DIRS + 1,
                    "at most one GETATTR per directory (its atime, which reading it invalidates): " + s2 + " -> " + s3);
        }
    }

    @Test
    void aPublishIsSeenAtOnceThroughCachedListingsOfAReadCommittedView() {
        try (ViewAgent reader = MOUNT.agent("kc-reader", ViewAgent.Way.NAMESPACE, "read-committed");
                ViewAgent writer = MOUNT.agent("kc-writer", ViewAgent.Way.SHARED_ROOT)) {
            for (int i = 0; i < 2; i++) { // the second listing of each comes from the kernel's cache
                assertEquals(List.of("kept.txt", "old.txt"), sorted(reader.list("pub")));
                assertFalse(reader.list("").contains("kc-top.txt"));
                assertEquals("kept\n", reader.read("pub/kept.txt"));
                assertEquals(List.of("a.txt"), reader.list("added"));
            }
            for (int i = 0; i < 2; i++) { // the second probe of each is answered by a negative dentry
                assertFalse(reader.exists("pub/new.txt"));
                assertFalse(reader.exists("kc-top.txt"));
            }
            writer.write("pub/new.txt", "new\n");
            writer.call("unlink", "path", MOUNT.mnt("pub/old.txt"));
            writer.write("pub/kept.txt", "kept, changed\n");
            writer.write("kc-top.txt", "top\n");
            writer.write("added/b.txt", "b\n"); // only a name new to the reader: the kernel has no dentry to drop
            JsonNode published = writer.ctl("publish");
            assertTrue(published.path("errno").isNull(), "publish: " + published);

            assertEquals(
                    List.of("kept.txt", "new.txt"),
                    sorted(reader.list("pub")),
                    "a read-committed view lists a published directory change right after the publish");
            assertTrue(reader.list("").contains("kc-top.txt"), "and a new name in its root");
            assertEquals(
                    List.of("a.txt", "b.txt"), sorted(reader.list("added")), "and a directory that only gained a name");
            assertEquals("new\n", reader.read("pub/new.txt"), "a name it had found missing is there after the publish");
            assertEquals("top\n", reader.read("kc-top.txt"), "in its root too");
            assertFalse(reader.exists("pub/old.txt"), "a published delete is gone");
            assertEquals(
                    "kept, changed\n", reader.read("pub/kept.txt"), "changed content is read, not the cached pages");
            assertEquals(14, reader.stat("pub/kept.txt").get("size").asInt(), "and its new size");
        }
    }

    @Test
    void aSnapshotViewKeepsFilePagesAcrossOpensUntilItsOwnPublishOrAbortMovesIt() {
        try (ViewAgent snap = MOUNT.agent("kc-snap", ViewAgent.Way.NAMESPACE);
                ViewAgent other = MOUNT.agent("kc-other", ViewAgent.Way.SHARED_ROOT)) {
            assertEquals("page one\n", snap.read("snap/page.txt"));
            JsonNode s1 = stats(snap);
            JsonNode s2 = stats(snap); // s2 - s1: what one stats call costs by itself (its reply is a READ of ctl)
            assertEquals("page one\n", snap.read("snap/page.txt"));
            JsonNode s3 = stats(snap);
            assertEquals(
                    delta(s2, s1, "READ"),
                    delta(s3, s2, "READ"),
                    "a re-open of a file the view did not change reads the kernel's pages: " + s2 + " -> " + s3);

            // contents of one length: only the invalidation, not a changed size, can drop the pages
            assertFalse(snap.exists("snap/theirs.txt"));
            other.write("snap/page.txt", "page TWO\n");
            other.write("snap/theirs.txt", "theirs\n");
            assertTrue(other.ctl("publish").path("errno").isNull());
            assertEquals("page one\n", snap.read("snap/page.txt"), "a snapshot view keeps its snapshot");
            assertFalse(snap.exists("snap/theirs.txt"), "nor a name published since");
            snap.write("snap/mine.txt", "mine\n");
            assertTrue(snap.ctl("publish").path("errno").isNull());
            assertEquals(
                    "page TWO\n", snap.read("snap/page.txt"), "its own publish moved it onto the other view's publish");
            assertEquals("theirs\n", snap.read("snap/theirs.txt"), "including a name it had found missing");

            snap.write("snap/page.txt", "page MY3\n");
            assertEquals("page MY3\n", snap.read("snap/page.txt"));
            snap.stat("snap/page.txt"); // the kernel now holds this content's attributes too, valid for 10 s
            assertTrue(snap.ctl("abort").path("errno").isNull());
            // abort removes the view: its namespace names a view that is gone, until one of that name begins again
            assertEquals("ENOENT", snap.errno("read", "path", MOUNT.mnt("snap/page.txt")), "the aborted view is gone");
            assertTrue(snap.ctl("begin view=kc-snap").path("errno").isNull());
            assertEquals("page TWO\n", snap.read("snap/page.txt"), "abort dropped the pending content and its pages");
        }
    }

    /**
     * A compiler probes the same missing names several times per file (make, then gcc, then as, each
     * stat the object before writing it): the kernel remembers that a name is missing below a
     * view-private directory, until the view creates it.
     */
    @Test
    void aMissingNameProbedAgainIsAnsweredByTheKernel() {
        try (ViewAgent a = MOUNT.agent("kc-missing", ViewAgent.Way.NAMESPACE)) {
            assertFalse(a.exists("snap/missing.o"));
            JsonNode s1 = stats(a);
            JsonNode s2 = stats(a);
            for (int i = 0; i < 5; i++) {
                assertFalse(a.exists("snap/missing.o"));
            }
            JsonNode s3 = stats(a);
            assertEquals(
                    delta(s2, s1, "LOOKUP"),
                    delta(s3, s2, "LOOKUP"),
                    "probes of a name found missing make no LOOKUP: " + s2 + " -> " + s3);
            a.write("snap/missing.o", "made\n");
            assertEquals("made\n", a.read("snap/missing.o"), "the view's own create replaces the negative entry");
        }
    }

    /**
     * A writer that looks at its file between writes, as {@code as} does (fstat, read back, seek, write),
     * makes no GETXATTR of security.capability per write, which a page-cache write made the kernel ask for
     * after every attribute refresh (docs/kernel-caches.md); the fstat itself still costs a GETATTR.
     */
    @Test
    void aWriterThatStatsBetweenWritesIsNotAskedForCapabilities() {
        String script = String.join(
                "\n",
                "import os, sys",
                "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)",
                "for i in range(20):",
                "    os.write(fd, b'x' * 10)",
                "    os.fstat(fd)",
                "os.lseek(fd, 0, os.SEEK_SET)",
                "assert os.read(fd, 1000) == b'x' * 200",
                "os.close(fd)");
        try (ViewAgent a = MOUNT.agent("kc-writer-back", ViewAgent.Way.NAMESPACE)) {
            JsonNode s1 = stats(a);
            JsonNode s2 = stats(a);
            JsonNode r = a.call("run", "argv", List.of("python3", "-c", script, MOUNT.mnt("snap/as-like.o")));
            assertEquals(0, r.get("code").asInt(), "writer: " + r);
            JsonNode s3 = stats(a);
            assertEquals(
                    delta(s2, s1, "GETXATTR"),
                    delta(s3, s2, "GETXATTR"),
                    "no security.capability query per write: " + s2 + " -> " + s3);
            assertEquals(
                    20, delta(s3, s2, "WRITE") - delta(s2, s1, "WRITE"), "one WRITE per write(): " + s2 + " -> " + s3);
            assertEquals(
                    "x".repeat(200), a.read("snap/as-like.o"), "a reader through another descriptor sees every write");
        }
    }

    /**
     * Read-only descriptors of a snapshot view keep their pages (FOPEN_KEEP_CACHE); a descriptor open for
     * writing writes around them (FOPEN_DIRECT_IO). The kernel must drop the pages a direct write covers,
     * or the next reader gets the cached content: same length, so no size change would tell.
     */
    @Test
    void aDirectWriteDropsThePagesReadersCached() {
        String overwrite = String.join(
                "\n",
                "import os, sys",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "os.pwrite(fd, b'second', 0)",
                "os.close(fd)");
        try (ViewAgent a = MOUNT.agent("kc-direct", ViewAgent.Way.NAMESPACE)) {
            a.write("snap/cached.txt", "first!");
            for (int i = 0; i < 2; i++) { // the second read is served from the kept pages
                assertEquals("first!", a.read("snap/cached.txt"));
            }
            JsonNode r = a.call("run", "argv", List.of("python3", "-c", overwrite, MOUNT.mnt("snap/cached.txt")));
            assertEquals(0, r.get("code").asInt(), "overwrite: " + r);
            assertEquals(
                    "second",
                    a.read("snap/cached.txt"),
                    "a reader after the direct write sees it, not the cached pages");
        }
    }

    @Test
    void aChangeThroughTheSharedRootReachesTheSameViewThroughItsOwnRoot() {
        try (ViewAgent own = MOUNT.agent("kc-both", ViewAgent.Way.NAMESPACE);
                ViewAgent shared = MOUNT.agent("kc-both", ViewAgent.Way.SHARED_ROOT)) {
            for (int i = 0; i < 2; i++) {
                assertFalse(own.list("").contains("kc-both.txt"));
            }
            own.write("kc-gone.txt", "soon gone\n");
            assertTrue(own.list("").contains("kc-gone.txt"));
            shared.write("kc-both.txt", "through the shared root\n");
            shared.call("unlink", "path", MOUNT.mnt("kc-gone.txt"));
            // the kernel knows this view's root as two nodes; the daemon drops the other one's cached
            // listing and entries right after the change (asynchronously: a reader thread never waits on it).
            // Each change sends its own batch: the create's batch drops the listing, so a listing taken
            // between the two batches is already right while the unlink's entry invalidation is still on
            // its way; wait for both.
            assertTrue(
                    MountFixture.await(
                            Duration.ofSeconds(5),
                            () -> own.list("").contains("kc-both.txt")
                                    && !own.list("").contains("kc-gone.txt")
                                    && !own.exists("kc-gone.txt")),
                    "the view's own root lists the names changed through the shared root: " + own.list(""));
            assertFalse(own.exists("kc-gone.txt"), "and no stale entry is left for the removed name");
            assertEquals("through the shared root\n", own.read("kc-both.txt"));
        }
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }
}
