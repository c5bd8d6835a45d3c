package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The txfs command line as a user meets it: exit 0 ok, 1 failure, 2 usage; data on stdout, messages on stderr. */
class CommandLineIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void versionPrintsAVersionAndSucceeds() {
        ProcessRun run = ProcessRun.run(MountFixture.command("--version"), TIMEOUT);
        assertEquals(0, run.exitCode(), run::describe);
        assertTrue(run.stdout().matches("(?s).*\\d+\\.\\d+.*"), run::describe);
    }

    @Test
    void helpNamesTheMountAndUnmountCommands() {
        ProcessRun run = ProcessRun.run(MountFixture.command("-h"), TIMEOUT);
        assertEquals(0, run.exitCode(), run::describe);
        assertTrue(run.stdout().contains("mount") && run.stdout().contains("unmount"), run::describe);
    }

    @Test
    void mountWithoutArgumentsIsAUsageError() {
        ProcessRun run = ProcessRun.run(MountFixture.command("mount"), TIMEOUT);
        assertEquals(2, run.exitCode(), run::describe);
        assertFalse(run.stderr().isBlank(), run::describe);
        assertTrue(run.stdout().isBlank(), () -> "messages belong on stderr:\n" + run.describe());
    }

    @Test
    void unmountingADirectoryThatIsNotMountedFailsWithAMessage(@TempDir Path dir) throws IOException {
        Path notMounted = Files.createDirectory(dir.resolve("plain"));
        ProcessRun run = ProcessRun.run(MountFixture.command("unmount", notMounted.toString()), TIMEOUT);
        assertEquals(1, run.exitCode(), run::describe);
        assertTrue(
                run.stderr().contains(notMounted.toString()), () -> "the message names the path:\n" + run.describe());
    }
}
