package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A read-only descriptor opened in a read-committed view after the view wrote a file reads that write
 * after the view publishes it (it read what was there before the write, until the daemon moved such
 * descriptors along with their own view's publish).
 */
final class PinnedReadIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    @ParameterizedTest
    @ValueSource(strings = {"never", "auto"})
    void aDescriptorReadsItsViewsOwnWriteAfterThePublish(String namespace) throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        String name = "pinned-" + namespace;
        ProcessRun seed = MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                name + "-seed",
                "--publish",
                "--",
                "/bin/sh",
                "-c",
                "echo base > \"$0/" + name + "\"",
                mnt);
        assertEquals(0, seed.exitCode(), seed.describe());
        String cli = String.join(" ", MountFixture.command("publish", "--mount", mnt));
        ProcessRun r = MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                name,
                "--isolation",
                "read-committed",
                "--namespace",
                namespace,
                "--",
                "/bin/sh",
                "-c",
                "cd \"$0\" && echo mine > " + name + " && exec 3< " + name + " && " + cli
                        + " >/dev/null 2>&1 && cat <&3",
                mnt);
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("mine\n", r.stdout(), r.describe());
    }
}
