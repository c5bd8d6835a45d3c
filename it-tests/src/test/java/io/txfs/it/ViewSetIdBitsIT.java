package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writes, truncations and chowns clear setuid/setgid and file capabilities in a view exactly as on the
 * local filesystem under the backing directory, in snapshot and read-committed views. Writes through a
 * descriptor open for writing are direct I/O in both, and the kernel leaves the clearing to the daemon
 * then (pjdfstest chmod/12 found the set-id bits missing; capabilities survived such writes until this
 * test compared them).
 */
final class ViewSetIdBitsIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    @Test
    void setIdBitsAreClearedAsOnTheLocalFilesystem() throws IOException {
        Path script = MOUNT.scratch().resolve("setid_bits.py");
        try (InputStream in = ViewSetIdBitsIT.class.getResourceAsStream("setid_bits.py")) {
            Files.copy(in, script);
        }
        Path plain = Files.createDirectory(MOUNT.scratch().resolve("plain"));
        ProcessRun expected = MOUNT.run(plain, List.of("python3", script.toString()));
        assertTrue(
                expected.succeeded() && expected.stdout().contains("nobody writes 4777: 0o4777 -> 0o777"),
                "the local filesystem clears the bits\n" + expected.describe());

        String mnt = MOUNT.mountpoint().toString();
        for (String isolation : List.of("snapshot", "read-committed")) {
            for (String ns : List.of("never", "always")) {
                List<String> cmd = new ArrayList<>(MountFixture.command(
                        "run",
                        "--mount",
                        mnt,
                        "--view",
                        "setid-" + isolation + "-" + ns,
                        "--isolation",
                        isolation,
                        "--namespace",
                        ns,
                        "--",
                        "python3",
                        script.toString()));
                ProcessRun inView = MOUNT.run(MOUNT.mountpoint(), cmd);
                assertEquals(
                        expected.stdout(),
                        inView.stdout(),
                        "a " + isolation + " view (namespace " + ns + ") behaves like the local filesystem\n"
                                + inView.describe());
            }
        }
    }
}
