package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --default-view shared}: a process outside any view works on the published state directly,
 * each change published on its own (other sessions see it at once), and nothing reaches the backing
 * directory before a flush.
 */
final class ViewSharedDefaultIT {
    @RegisterExtension
    static final ViewMountFixture MOUNT = ViewMountFixture.views("--default-view", "shared");

    private static ProcessRun inNewSession(String script) {
        return MOUNT.run(MOUNT.scratch(), List.of("setsid", "-w", "/bin/sh", "-c", script, MOUNT.mountpoint().toString()));
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
}
