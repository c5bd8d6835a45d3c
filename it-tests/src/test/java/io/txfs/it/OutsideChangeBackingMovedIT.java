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
 * {@code mv BACKING elsewhere} while mounted: the daemon holds BACKING by a descriptor and could go on
 * serving (and flushing into) the moved directory; it refuses instead, like a deletion: ESTALE on every
 * operation, one log line, a status line.
 */
final class OutsideChangeBackingMovedIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(b -> {
        try {
            Files.writeString(b.resolve("f"), "content\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static ProcessRun run(String... command) {
        return MOUNT.run(MOUNT.scratch(), List.of(command));
    }

    @Test
    void backingMovedAwayWhileMountedIsRefusedClearly() {
        String mnt = MOUNT.mountpoint().toString();
        assertEquals("content\n", run("cat", MOUNT.mnt("f")).stdout());
        ProcessRun mv = run(
                "mv",
                MOUNT.backing().toString(),
                MOUNT.scratch().resolve("moved").toString());
        assertTrue(mv.succeeded(), mv.describe());

        ProcessRun ls = run("ls", mnt);
        assertFalse(ls.succeeded(), ls.describe());
        assertTrue(ls.stderr().contains("Stale file handle"), ls.describe());
        ProcessRun cat = run("cat", MOUNT.mnt("f"));
        assertTrue(!cat.succeeded() && cat.stderr().contains("Stale file handle"), cat.describe());
        assertTrue(MOUNT.daemon().isAlive());

        ProcessRun flush = MOUNT.txfs("flush", "--mount", mnt);
        assertFalse(flush.succeeded(), "nothing is flushed into the moved directory: " + flush.describe());
        String log = MOUNT.daemonLog();
        assertEquals(
                1,
                log.lines()
                        .filter(l ->
                                l.contains("was moved away") && l.contains("every operation on the mount now fails"))
                        .count(),
                log);
    }
}
