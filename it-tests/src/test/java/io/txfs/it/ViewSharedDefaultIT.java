package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --default-view shared}: a process outside any view works on the published state directly,
 * its changes grouped into published versions (docs/views.md, "Group commit") that everyone else sees
 * at once, none lost by a SIGKILL of the daemon, and nothing reaches the backing directory before a
 * flush. The group window is 2 s here (default 100 ms) so that the daemon is killed while a group
 * most likely still waits.
 */
final class ViewSharedDefaultIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views("--default-view", "shared", "--group-window", "2s");

    private static ProcessRun inNewSession(String script) {
        return MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        script,
                        MOUNT.mountpoint().toString()));
    }

    @Test
    void everyChangeIsPublishedAtOnceAndFlushedOnlyOnRequest() throws IOException {
        ProcessRun write = inNewSession("echo first > \"$0/shared.txt\" && mkdir \"$0/d\" && echo inner > \"$0/d/f\"");
        assertTrue(write.succeeded(), write.describe());
        ProcessRun read = inNewSession("cat \"$0/shared.txt\" \"$0/d/f\"");
        assertEquals("first\ninner\n", read.stdout(), "another session sees each change at once\n" + read.describe());
        assertFalse(Files.exists(MOUNT.backing().resolve("shared.txt")), "nothing is flushed yet");

        // an O_TRUNC open with nothing written after it is a change of its own
        ProcessRun truncate = inNewSession(": > \"$0/shared.txt\"");
        assertTrue(truncate.succeeded(), truncate.describe());
        ProcessRun size = inNewSession("wc -c < \"$0/shared.txt\"");
        assertEquals("0", size.stdout().trim(), "another session sees the truncation at once\n" + size.describe());

        ProcessRun remove = inNewSession("rm \"$0/d/f\" && rmdir \"$0/d\"");
        assertTrue(remove.succeeded(), remove.describe());
        ProcessRun gone = inNewSession("test -e \"$0/d\" && echo present || echo gone");
        assertEquals("gone\n", gone.stdout(), gone.describe());

        ProcessRun flush = MOUNT.txfs("flush", "--mount", MOUNT.mountpoint().toString());
        assertTrue(flush.succeeded(), flush.describe());
        assertEquals(0, Files.size(MOUNT.backing().resolve("shared.txt")), "the flush wrote the published state");
        assertFalse(Files.exists(MOUNT.backing().resolve("d")), "including the removal");
    }

    /** The CLI started with its working directory at the mount's root (as `cd MOUNT && txfs ...`). */
    private static ProcessRun inMount(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.mountpoint(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    /** Versions the log lists as publishes of the shared view. */
    private static long sharedPublishes() {
        ProcessRun log = MOUNT.txfs("log", "--mount", MOUNT.mountpoint().toString());
        assertTrue(log.succeeded(), log.describe());
        return Pattern.compile("^\\s*\\d+ publish shared\\b", Pattern.MULTILINE)
                .matcher(log.stdout())
                .results()
                .count();
    }

    @Test
    void aThousandSmallWritesAreFarFewerVersionsAndAViewReadsThemAtOnce() throws IOException {
        // a read-committed view that exists before the writes: it sees each publish at its next access
        ProcessRun begin = inMount("run", "--view", "watcher", "--isolation", "read-committed", "--", "true");
        assertTrue(begin.succeeded(), begin.describe());
        long before = sharedPublishes();
        ProcessRun write =
                inNewSession("i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo \"line $i\" >> \"$0/many.txt\"; done");
        assertTrue(write.succeeded(), write.describe());
        ProcessRun inView =
                inMount("run", "--view", "watcher", "--", "sh", "-c", "wc -l < many.txt; tail -n 1 many.txt");
        assertEquals("1000\nline 1000\n", inView.stdout(), "the view reads every write at once\n" + inView.describe());
        long versions = sharedPublishes() - before;
        assertTrue(versions >= 1 && versions < 100, "1000 writes (and as many opens) made " + versions + " versions");
    }

    @Test
    void aDaemonKilledAfterTheWritesReturnedLosesNone() throws IOException {
        ProcessRun write = inNewSession(
                "mkdir \"$0/kept\" && i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo \"file $i\" > \"$0/kept/f$i\"; done");
        assertTrue(write.succeeded(), write.describe());
        // nothing asked about the state since: the last group waits in the shared view's pending delta
        MOUNT.stopDaemon(true);
        MOUNT.restart();
        ProcessRun read = inNewSession("cd \"$0/kept\" && ls | wc -l && cat f1 f200");
        assertEquals(
                "200\nfile 1\nfile 200\n", read.stdout(), "every write that returned is there\n" + read.describe());
        ProcessRun inView = inMount("run", "--", "cat", "kept/f199");
        assertEquals("file 199\n", inView.stdout(), "and published: a new view reads it\n" + inView.describe());
    }

    @Test
    void aDescriptorOpenedBeforeAWriteReadsIt() {
        // the append waits in its group (2 s window) while the descriptor opened before it reads
        ProcessRun r = inNewSession(
                "echo one > \"$0/fd.txt\" && exec 3< \"$0/fd.txt\" && echo two >> \"$0/fd.txt\" && cat <&3");
        assertEquals(
                "one\ntwo\n",
                r.stdout(),
                "a read sees every write that returned, as on an ordinary filesystem\n" + r.describe());
    }
}
