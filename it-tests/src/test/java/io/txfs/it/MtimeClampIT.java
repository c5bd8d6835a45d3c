package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs run --mtime-clamp EPOCH} through a live mount (docs/reproducibility.md, "Deterministic
 * metadata"): what a real shell writes shows mtimes no later than EPOCH, so two runs at different times
 * have one extended tree id with mtimes; without the clamp they differ.
 */
final class MtimeClampIT {
    private static final String EPOCH = "1700000000";

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static ProcessRun cli(Map<String, String> env, String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), env, MountFixture.CLI_DEADLINE);
    }

    private static final String BUILD = "cd \"$0\" && mkdir -p out && echo object > out/a.o"
            + " && touch -d @1900000000 out/future && ln -s a.o out/link && stat -c %Y out/a.o out/future out";

    private static ProcessRun build(String view, String... clamp) {
        String mnt = MOUNT.mountpoint().toString();
        String[] args = new String[] {"run", "--mount", mnt, "--view", view};
        String[] all = new String[args.length + clamp.length + 5];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(clamp, 0, all, args.length, clamp.length);
        System.arraycopy(new String[] {"--", "/bin/sh", "-c", BUILD, mnt}, 0, all, args.length + clamp.length, 5);
        ProcessRun r = cli(Map.of("SOURCE_DATE_EPOCH", EPOCH), all);
        assertTrue(r.succeeded(), r.describe());
        return r;
    }

    private static String extendedId(String view) {
        ProcessRun r = cli(
                Map.of(), "hash", "--mount", MOUNT.mountpoint().toString(), "--view", view, "--extended", "--mtimes");
        assertTrue(r.succeeded(), r.describe());
        return r.stdout().trim();
    }

    @Test
    void clampedRunsHaveOneExtendedIdWithMtimes() {
        ProcessRun a = build("clamp-a", "--mtime-clamp", EPOCH);
        assertEquals(EPOCH + "\n" + EPOCH + "\n" + EPOCH + "\n", a.stdout(), "new file, a later touch, the directory");
        build("clamp-b", "--mtime-clamp=env"); // SOURCE_DATE_EPOCH from the environment
        assertEquals(extendedId("clamp-a"), extendedId("clamp-b"));
        ProcessRun status =
                cli(Map.of(), "status", "--mount", MOUNT.mountpoint().toString(), "clamp-b", "--json");
        assertTrue(status.stdout().contains("\"mtime_clamp\":" + EPOCH), status.describe());

        build("free-a");
        build("free-b");
        assertNotEquals(extendedId("free-a"), extendedId("free-b"), "without the clamp the times differ");
        ProcessRun other = cli(
                Map.of(),
                "run",
                "--mount",
                MOUNT.mountpoint().toString(),
                "--view",
                "clamp-a",
                "--mtime-clamp",
                "1600000000",
                "--",
                "/bin/true");
        assertEquals(1, other.exitCode(), "a clamp is fixed for the view's life: " + other.describe());
    }
}
