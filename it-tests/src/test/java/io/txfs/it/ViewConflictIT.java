package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * First committer wins: when two views change the same path, the second publish fails (EBUSY through
 * the control file, exit 3 through the CLI), lists the path, publishes nothing and leaves the view
 * intact; {@code publish --force} then wins.
 */
final class ViewConflictIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(ViewConflictIT::seed);

    private static void seed(Path backing) {
        try {
            for (String d : List.of("same", "parent")) {
                Files.createDirectories(backing.resolve(d));
            }
            Files.writeString(backing.resolve("same/x.txt"), "base\n");
            Files.writeString(backing.resolve("same/other.txt"), "other base\n");
            Files.createDirectories(backing.resolve("parent/d"));
            Files.writeString(backing.resolve("parent/d/only.txt"), "only\n");
            Files.createDirectories(backing.resolve("merge"));
            Files.write(backing.resolve("merge/image.bin"), image());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Four 64 KiB chunks of a pattern. */
    private static byte[] image() {
        byte[] b = new byte[4 * 65536];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i % 251);
        return b;
    }

    /** In view {@code view}, {@code text} written into merge/image.bin at {@code offset}, the size kept. */
    private static void patch(String view, String text, long offset) {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun r = MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                view,
                "--",
                "/bin/sh",
                "-c",
                "printf %s \"$1\" | dd of=\"$0/merge/image.bin\" bs=1 seek=\"$2\" conv=notrunc status=none",
                mnt,
                text,
                Long.toString(offset));
        assertTrue(r.succeeded(), r.describe());
    }

    /**
     * {@code publish --merge bytes}: two views that changed different 64 KiB chunks of one file both publish;
     * without the option the second is a conflict, with it the file holds both changes.
     */
    @Test
    void differentChunksOfOneFileMergeWhenAsked() throws IOException {
        String mnt = MOUNT.mountpoint().toString();
        patch("merge-a", "AAAA", 10);
        patch("merge-b", "BBBB", 3 * 65536 + 100);
        patch("merge-c", "CCCC", 12); // chunk 0 too: never merges with merge-a
        assertTrue(MOUNT.txfs("publish", "--mount", mnt, "merge-a").succeeded());
        ProcessRun plain = MOUNT.txfs("publish", "--mount", mnt, "merge-b");
        assertEquals(3, plain.exitCode(), "without --merge bytes a conflict\n" + plain.describe());
        ProcessRun merged = MOUNT.txfs("publish", "--mount", mnt, "--merge", "bytes", "merge-b");
        assertTrue(merged.succeeded(), merged.describe());
        ProcessRun same = MOUNT.txfs("publish", "--mount", mnt, "--merge", "bytes", "merge-c");
        assertEquals(3, same.exitCode(), "the same chunk stays a conflict\n" + same.describe());

        byte[] want = image();
        System.arraycopy("AAAA".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, want, 10, 4);
        System.arraycopy("BBBB".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, want, 3 * 65536 + 100, 4);
        assertTrue(
                java.util.Arrays.equals(
                        want, Files.readAllBytes(MOUNT.mountpoint().resolve("merge/image.bin"))),
                "the published file holds both changes");
        assertTrue(MOUNT.txfs("abort", "--mount", mnt, "merge-c").succeeded());
    }

    private static List<String> conflicts(JsonNode reply) {
        List<String> out = new ArrayList<>();
        reply.path("conflicts").forEach(c -> out.add(c.asText()));
        return out;
    }

    private static boolean mentions(List<String> paths, String path) {
        return paths.stream().anyMatch(p -> p.equals(path) || p.equals("/" + path));
    }

    @Test
    void theSecondPublishOfTheSamePathFailsAndForceWins() {
        String mnt = MOUNT.mountpoint().toString();
        try (ViewAgent a = MOUNT.agent("conf-a", ViewAgent.Way.SHARED_ROOT);
                ViewAgent b = MOUNT.agent("conf-b", ViewAgent.Way.SHARED_ROOT);
                ViewAgent watcher = MOUNT.agent("conf-watch", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
            a.write("same/x.txt", "from A\n");
            b.write("same/x.txt", "from B\n");
            b.write("same/b-only.txt", "B's own new file\n");

            JsonNode first = a.ctl("publish");
            assertTrue(first.get("errno").isNull(), "A publishes first: " + first);
            assertEquals("from A\n", watcher.read("same/x.txt"), "A's publish is visible");

            JsonNode second = b.ctl("publish");
            assertEquals("EBUSY", second.get("errno").asText(), "B's publish through the control file: " + second);
            assertTrue(
                    mentions(conflicts(second.get("reply")), "same/x.txt"),
                    "the EBUSY reply lists same/x.txt: " + second);
            assertEquals("from A\n", watcher.read("same/x.txt"), "nothing of B was published");
            assertTrue(!watcher.exists("same/b-only.txt"), "B's non-conflicting new file was not published either");
            assertEquals("from B\n", b.read("same/x.txt"), "B's view is intact after the refused publish");
            assertEquals("B's own new file\n", b.read("same/b-only.txt"), "B's new file is still in its view");

            ProcessRun cli = MOUNT.txfs("publish", "--mount", mnt, "conf-b");
            assertEquals(3, cli.exitCode(), "txfs publish of the conflicting view exits 3\n" + cli.describe());
            assertTrue(
                    cli.stderr().contains("same/x.txt"), "txfs publish names the conflicting path\n" + cli.describe());
            ProcessRun status = MOUNT.txfs("status", "--mount", mnt, "--json", "conf-b");
            assertTrue(status.succeeded(), status.describe());
            assertTrue(
                    status.stdout().contains("same/x.txt") && status.stdout().contains("same/b-only.txt"),
                    "txfs status still lists B's changes after the refused publishes\n" + status.describe());

            ProcessRun force = MOUNT.txfs("publish", "--mount", mnt, "--force", "conf-b");
            assertTrue(force.succeeded(), "publish --force\n" + force.describe());
            assertEquals("from B\n", watcher.read("same/x.txt"), "the forced publish wins");
            assertEquals("B's own new file\n", watcher.read("same/b-only.txt"), "the forced publish brings all of B");
            assertEquals("other base\n", watcher.read("same/other.txt"), "an untouched file keeps its content");
        }
    }

    @Test
    void creatingInsideADirectoryAnotherViewDeletedConflicts() {
        try (ViewAgent del = MOUNT.agent("par-del", ViewAgent.Way.NAMESPACE);
                ViewAgent add = MOUNT.agent("par-add", ViewAgent.Way.SHARED_ROOT)) {
            del.call("unlink", "path", MOUNT.mnt("parent/d/only.txt"));
            del.call("rmdir", "path", MOUNT.mnt("parent/d"));
            add.write("parent/d/new.txt", "created inside d\n");
            ProcessRun first =
                    MOUNT.txfs("publish", "--mount", MOUNT.mountpoint().toString(), "par-del");
            assertTrue(first.succeeded(), first.describe());

            JsonNode second = add.ctl("publish");
            assertEquals(
                    "EBUSY",
                    second.get("errno").asText(),
                    "publishing a create inside a directory deleted by an earlier publish: " + second);
            assertTrue(!conflicts(second.get("reply")).isEmpty(), "the reply lists the conflicting paths: " + second);
            assertEquals("created inside d\n", add.read("parent/d/new.txt"), "the refused view is intact");
        }
    }

    /** Two builds that write the same output both publish; a real difference still conflicts. */
    @Test
    void identicalOutputsBothPublishAndADifferentOneConflicts() {
        String mnt = MOUNT.mountpoint().toString();
        try (ViewAgent a = MOUNT.agent("same-a", ViewAgent.Way.SHARED_ROOT);
                ViewAgent b = MOUNT.agent("same-b", ViewAgent.Way.NAMESPACE);
                ViewAgent c = MOUNT.agent("same-c", ViewAgent.Way.SHARED_ROOT);
                ViewAgent watcher = MOUNT.agent("same-watch", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
            a.write("same/out.o", "object code\n");
            b.write("same/out.o", "object code\n");
            c.write("same/out.o", "other object code\n");
            b.write("same/b-log.txt", "B's log\n");

            assertTrue(a.ctl("publish").get("errno").isNull());
            JsonNode second = b.ctl("publish");
            assertTrue(second.get("errno").isNull(), "the same output is no conflict: " + second);
            assertEquals("object code\n", watcher.read("same/out.o"));
            assertEquals("B's log\n", watcher.read("same/b-log.txt"), "the rest of B published");
            assertEquals("object code\n", b.read("same/out.o"), "B still reads its output");

            ProcessRun third = MOUNT.txfs("publish", "--mount", mnt, "same-c");
            assertEquals(3, third.exitCode(), "different bytes conflict\n" + third.describe());
            assertTrue(third.stderr().contains("same/out.o"), third.describe());
        }
    }
}
