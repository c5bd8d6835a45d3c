package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --auto-flush 1s}: the backing directory follows the published state without a `txfs flush`. */
final class ViewAutoFlushIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views("--default-view", "shared", "--auto-flush", "1s");

    private static String readOrNull(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException absent) {
            return null;
        }
    }

    @Test
    void theBackingDirectoryReceivesTheWritesWithinTheInterval() throws IOException {
        ProcessRun write = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "/bin/sh",
                        "-c",
                        "mkdir \"$0/auto\" && echo one > \"$0/auto/a.txt\" && echo two > \"$0/auto/b.txt\"",
                        MOUNT.mountpoint().toString()));
        assertTrue(write.succeeded(), write.describe());
        Path a = MOUNT.backing().resolve("auto/a.txt");
        Path b = MOUNT.backing().resolve("auto/b.txt");
        assertTrue(
                MountFixture.await(
                        Duration.ofSeconds(30), () -> "one\n".equals(readOrNull(a)) && "two\n".equals(readOrNull(b))),
                "BACKING holds the writes within 30 s (auto-flush every 1 s); a.txt: " + readOrNull(a));
        ProcessRun status =
                MOUNT.txfs("status", "--json", "--mount", MOUNT.mountpoint().toString());
        assertTrue(status.succeeded(), status.describe());
        JsonNode auto = ViewAgent.JSON.readTree(status.stdout()).path("auto_flush");
        assertEquals(1000, auto.path("every_ms").asLong(), status.stdout());
        assertTrue(auto.path("flushes").asLong() >= 1, status.stdout());
        assertEquals(0, auto.path("failures").asLong(), status.stdout());
    }
}
