package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A daemon whose state directory was deleted under it stops serving within seconds, says why and exits
 * with status 1, rather than serving on with a store whose next files cannot be written (issue 18, point 6:
 * a daemon was found running 30 minutes after its mount and state directory were gone).
 */
final class StateDirectoryGoneIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    @Test
    void deletingTheStateDirectoryEndsTheDaemon() throws IOException {
        Files.writeString(MOUNT.mountpoint().resolve("before.txt"), "written\n");
        try (Stream<Path> all = Files.walk(MOUNT.stateDirectory())) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        Integer status = MOUNT.awaitDaemonEnd(Duration.ofSeconds(15));
        assertNotNull(status, "the daemon stopped within 15 s\n" + MOUNT.daemonLogTail(30));
        assertEquals(1, status, "and says it did not end by an unmount\n" + MOUNT.daemonLogTail(30));
        assertTrue(MOUNT.daemonLogTail(30).contains("was deleted"), MOUNT.daemonLogTail(30));
        assertTrue(MountTable.at(MOUNT.mountpoint()).isEmpty(), "its mount is gone, not left dead");
    }
}
