package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backing directory changed behind the daemon's back while mounted (docs/outside-changes.md): the
 * change is taken in as a published version, read through the mount by a fresh process (no EIO), logged
 * once; {@code txfs rescan} takes in what no access has looked at yet.
 */
final class OutsideChangeIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(b -> {
        try {
            Files.writeString(b.resolve("f"), "before\n");
            Files.createDirectory(b.resolve("d"));
            Files.writeString(b.resolve("d/x"), "x\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static ProcessRun run(String... command) {
        return MOUNT.run(MOUNT.scratch(), List.of(command));
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void fileEditedInBackingIsReadNewThroughTheMountAndLoggedOnce() throws IOException {
        ProcessRun first = run("cat", MOUNT.mnt("f"));
        assertTrue(first.succeeded(), first.describe());
        assertEquals("before\n", first.stdout());

        Files.writeString(MOUNT.backing().resolve("f"), "after the edit outside txfs\n"); // echo > BACKING/f

        ProcessRun second = run("cat", MOUNT.mnt("f"));
        assertTrue(second.succeeded(), "no EIO: " + second.describe() + "\n" + MOUNT.daemonLogTail(30));
        assertEquals("after the edit outside txfs\n", second.stdout());
        ProcessRun third = run("cat", MOUNT.mnt("f"));
        assertEquals("after the edit outside txfs\n", third.stdout(), third.describe());
        ProcessRun stat = run("stat", "-c", "%s", MOUNT.mnt("f"));
        assertEquals("28\n", stat.stdout(), stat.describe());

        String log = MOUNT.daemonLog();
        assertEquals(1, count(log, "changed outside txfs: /f was changed"), "one warning naming the path:\n" + log);
        assertEquals(0, count(log, "EIO"), log);
    }

    @Test
    void rescanTakesInAFileAddedOutside() throws IOException {
        ProcessRun ls = run("ls", MOUNT.mnt("d"));
        assertEquals("x\n", ls.stdout(), ls.describe());
        Files.writeString(MOUNT.backing().resolve("d/new.txt"), "added outside\n");

        ProcessRun rescan = MOUNT.txfs("rescan", "--mount", MOUNT.mountpoint().toString());
        assertTrue(rescan.succeeded(), rescan.describe());
        assertTrue(rescan.stdout().contains("A  /d/new.txt\n"), rescan.describe());
        assertTrue(rescan.stdout().contains("taken in as published version"), rescan.describe());

        ProcessRun cat = run("cat", MOUNT.mnt("d/new.txt"));
        assertEquals("added outside\n", cat.stdout(), cat.describe());
        ProcessRun after = run("ls", MOUNT.mnt("d"));
        assertEquals("new.txt\nx\n", after.stdout(), after.describe());

        ProcessRun again = MOUNT.txfs("rescan", "--mount", MOUNT.mountpoint().toString());
        assertTrue(again.succeeded() && again.stdout().contains("holds what txfs recorded"), again.describe());
        assertEquals(1, count(MOUNT.daemonLog(), "/d/new.txt was added"), MOUNT.daemonLog());
    }
}
