package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs run --inodes path} through a live mount (docs/reproducibility.md, "Deterministic metadata"):
 * two runs of one script in two views see the same inode numbers (stat and readdir alike), two runs without it
 * do not; hard links share a number; a renamed file gets the number of its new path.
 */
final class PathInodesIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    // numbers of a directory, a subdirectory, a file, its hard link, a file renamed into place; then readdir's
    private static final String SCRIPT = "cd \"$0\" && mkdir -p out/sub && echo x > out/a && ln out/a out/b"
            + " && echo y > out/tmp && mv out/tmp out/c"
            + " && stat -c '%i %n' out out/sub out/a out/b out/c && ls -i out | sort";

    private static ProcessRun build(String view, String... inodes) {
        String mnt = MOUNT.mountpoint().toString();
        List<String> args = new java.util.ArrayList<>(List.of("run", "--mount", mnt, "--view", view));
        args.addAll(List.of(inodes));
        args.addAll(List.of("--", "/bin/sh", "-c", SCRIPT, mnt));
        ProcessRun r = ProcessRun.run(
                MountFixture.command(args.toArray(String[]::new)),
                MOUNT.scratch(),
                Map.of(),
                MountFixture.CLI_DEADLINE);
        assertTrue(r.succeeded(), r.describe());
        return r;
    }

    private static String number(ProcessRun r, String name) {
        return r.stdout()
                .lines()
                .filter(l -> l.endsWith(" " + name))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
    }

    @Test
    void twoRunsSeeTheSameNumbersFromPaths() {
        ProcessRun a = build("inodes-a", "--inodes", "path");
        ProcessRun b = build("inodes-b", "--inodes", "path");
        assertEquals(a.stdout(), b.stdout(), "the same numbers in both runs");
        assertEquals(number(a, "out/a"), number(a, "out/b"), "hard links share one number");
        assertNotEquals(number(a, "out/a"), number(a, "out/c"));
        for (String name : new String[] {"a", "b", "c", "sub"}) {
            assertTrue(
                    a.stdout().contains(number(a, "out/" + name) + " " + name + "\n"),
                    "readdir's number is stat's: " + name + "\n" + a.describe());
        }
        ProcessRun views = ProcessRun.run(
                MountFixture.command("views", "--mount", MOUNT.mountpoint().toString()),
                MOUNT.scratch(),
                Map.of(),
                MountFixture.CLI_DEADLINE);
        assertTrue(
                views.stdout().lines().anyMatch(l -> l.startsWith("inodes-a ") && l.contains("inodes from paths")),
                views.describe());

        ProcessRun direct = ProcessRun.run(
                MountFixture.command(
                        "run",
                        "--mount",
                        MOUNT.mountpoint().toString(),
                        "--inodes",
                        "path",
                        "--",
                        "/bin/sh",
                        "-c",
                        "cd \"$0\" && mkdir -p out && echo z > out/c && stat -c '%i %n' out/c",
                        MOUNT.mountpoint().toString()),
                MOUNT.scratch(),
                Map.of(),
                MountFixture.CLI_DEADLINE);
        assertEquals(
                number(a, "out/c"),
                number(direct, "out/c"),
                "a renamed file has its new path's number\n" + direct.describe());

        ProcessRun plainA = build("plain-a");
        ProcessRun plainB = build("plain-b");
        assertNotEquals(plainA.stdout(), plainB.stdout(), "txfs's node numbers differ between runs");
    }
}
