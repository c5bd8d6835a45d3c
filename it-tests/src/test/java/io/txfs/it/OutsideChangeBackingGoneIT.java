package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code rm -rf BACKING} while mounted: every operation fails with ESTALE ("Stale file handle"), the
 * daemon neither dies nor hangs and logs it once, {@code txfs status} says so, and the unmount is clean.
 */
final class OutsideChangeBackingGoneIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(b -> {
        try {
            Files.writeString(b.resolve("f"), "content\n");
            Files.createDirectory(b.resolve("d"));
            Files.writeString(b.resolve("d/x"), "x\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static ProcessRun run(String... command) {
        return MOUNT.run(MOUNT.scratch(), List.of(command));
    }

    private static void assertStale(ProcessRun r) {
        assertFalse(r.succeeded(), r.describe());
        assertTrue(r.stderr().contains("Stale file handle"), "a clear errno, not EIO: " + r.describe());
    }

    @Test
    void backingDeletedWhileMountedFailsEveryOperationClearly() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun view =
                MOUNT.txfs("run", "--mount", mnt, "--view", "w", "--", "sh", "-c", "echo pending > \"$0\"/w.txt", mnt);
        assertTrue(view.succeeded(), view.describe());
        assertEquals("content\n", run("cat", MOUNT.mnt("f")).stdout());
        assertEquals("x\n", run("cat", MOUNT.mnt("d/x")).stdout());

        ProcessRun rm =
                MOUNT.run(MOUNT.scratch(), List.of("rm", "-rf", MOUNT.backing().toString()));
        assertTrue(rm.succeeded(), rm.describe());

        assertStale(run("cat", MOUNT.mnt("f")));
        assertStale(run("ls", mnt));
        assertStale(run("cat", MOUNT.mnt("d/x")));
        assertStale(run("sh", "-c", "echo new > \"$0\"/g", mnt));
        assertTrue(MOUNT.daemon().isAlive(), "the daemon is still running");

        ProcessRun status = MOUNT.txfs("status", "--mount", mnt, "w");
        assertTrue(status.succeeded(), status.describe());
        assertTrue(status.stdout().contains("# backing directory: was deleted"), status.describe());
        assertTrue(
                status.stdout().contains("A  w.txt"), "the view's pending change is still there: " + status.describe());

        String log = MOUNT.daemonLog();
        assertEquals(
                1,
                log.lines()
                        .filter(l -> l.contains("every operation on the mount now fails with ESTALE"))
                        .count(),
                log);
        assertEquals(
                0, log.lines().filter(l -> l.contains("Exception in thread")).count(), log);
    }
}
