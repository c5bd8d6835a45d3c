package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs mount} refuses a mountpoint that is busy or not empty, a backing directory that does not
 * exist and a state directory inside the backing directory, each with a clear message and exit 1, and
 * the mount already there keeps serving.
 */
final class ViewMountBadInputIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(b -> {
        try {
            Files.writeString(b.resolve("served.txt"), "served\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static void assertRefused(ProcessRun r, String word, String what) {
        assertEquals(1, r.exitCode(), what + "\n" + r.describe());
        assertTrue(r.stderr().contains(word), what + ": the message says '" + word + "'\n" + r.describe());
    }

    /** Read from this JVM's own session view: the daemon answers. */
    private static void assertStillServing() throws IOException {
        assertEquals(
                Optional.empty(),
                MountFixture.statAnswers(MOUNT.mountpoint(), Duration.ofSeconds(10)),
                "the existing mount still answers");
        assertEquals(
                "served\n",
                Files.readString(MOUNT.mountpoint().resolve("served.txt")),
                "the existing mount still serves reads");
    }

    @Test
    void aBusyMountpointIsRefused() throws IOException {
        Path otherBacking = Files.createDirectories(MOUNT.scratch().resolve("other-backing"));
        ProcessRun r = MOUNT.txfs(
                "mount",
                "--state",
                MOUNT.scratch().resolve("state-busy").toString(),
                otherBacking.toString(),
                MOUNT.mountpoint().toString());
        assertRefused(r, "busy", "mounting over a live txfs mount");
        assertStillServing();
    }

    @Test
    void aNonEmptyMountpointIsRefused() throws IOException {
        Path full = Files.createDirectories(MOUNT.scratch().resolve("full-mnt"));
        Files.writeString(full.resolve("something"), "x");
        ProcessRun r = MOUNT.txfs(
                "mount",
                "--state",
                MOUNT.scratch().resolve("state-full").toString(),
                MOUNT.backing().toString(),
                full.toString());
        assertRefused(r, "not empty", "mounting on a directory that holds files");
        assertTrue(Files.exists(full.resolve("something")), "the directory is left as it was");
        assertStillServing();
    }

    @Test
    void aMissingBackingDirectoryOrAStateDirectoryInsideTheBackingIsRefused() throws IOException {
        Path empty = Files.createDirectories(MOUNT.scratch().resolve("empty-mnt"));
        ProcessRun missing = MOUNT.txfs(
                "mount",
                "--state",
                MOUNT.scratch().resolve("state-missing").toString(),
                MOUNT.scratch().resolve("no-such-backing").toString(),
                empty.toString());
        assertRefused(missing, "does not exist", "mounting a backing directory that does not exist");
        Path backing2 = Files.createDirectories(MOUNT.scratch().resolve("backing2"));
        ProcessRun inside = MOUNT.txfs(
                "mount", "--state", backing2.resolve("state").toString(), backing2.toString(), empty.toString());
        assertRefused(inside, "outside", "a state directory inside the backing directory");
        assertTrue(MountTable.at(empty).isEmpty(), "nothing was mounted");
        assertStillServing();
    }
}
