package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code txfs mount --keep-versions N}: published versions older than the last flush stay diffable
 * (the default keeps only the versions since the last flush — VersionDiffIT checks that refusal), and a
 * bad value is refused before any daemon starts.
 */
final class KeepVersionsIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views("--keep-versions", "7");

    private static ProcessRun cli(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    private static String mnt() {
        return MOUNT.mountpoint().toString();
    }

    private static JsonNode json(ProcessRun r) {
        assertTrue(r.succeeded(), r.describe());
        try {
            return new ObjectMapper().readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.describe(), e);
        }
    }

    private static long publishAndFlush(String view, String script) {
        ProcessRun run = cli(
                "run",
                "--mount",
                mnt(),
                "--view",
                view,
                "--publish",
                "--",
                "/bin/sh",
                "-c",
                "set -e; cd \"$0\"; " + script,
                mnt());
        assertTrue(run.succeeded(), run.describe());
        long v = json(cli("log", "--mount", mnt(), "--json"))
                .path("published_version")
                .asLong();
        ProcessRun flush = cli("flush", "--mount", mnt());
        assertTrue(flush.succeeded(), flush.describe());
        return v;
    }

    private static ProcessRun diffLines(long from, long to) {
        return cli(
                "diff", "--mount", mnt(), "--from", Long.toString(from), "--to", Long.toString(to), "--format=jsonl");
    }

    @Test
    void versionsBeforeSeveralFlushesStayDiffableUpToTheLimit() {
        long first = publishAndFlush("one", "mkdir out && printf 'one\\n' > out/a.txt");
        long second = publishAndFlush("two", "printf 'two\\n' > out/b.txt");
        long third = publishAndFlush("three", "rm out/a.txt");
        assertTrue(MOUNT.backing().resolve("out/b.txt").toFile().exists(), "flushed");

        ProcessRun old = diffLines(first - 1, first);
        assertTrue(old.succeeded(), old.describe());
        assertTrue(old.stdout().contains("\"path\":\"out/a.txt\",\"change\":\"added\""), old.describe());
        assertFalse(old.stdout().contains("b.txt"), old.describe());
        ProcessRun across = diffLines(first, third);
        assertTrue(across.succeeded(), across.describe());
        assertTrue(
                across.stdout().contains("\"path\":\"out/a.txt\",\"change\":\"deleted\"")
                        && across.stdout().contains("\"path\":\"out/b.txt\",\"change\":\"added\""),
                across.describe());
        assertTrue(diffLines(second - 1, second).stdout().contains("out/b.txt"));

        // seven versions kept: three more publish+flush rounds (two versions each) push `first` out
        for (int i = 0; i < 3; i++) {
            publishAndFlush("more" + i, "printf '" + i + "\\n' > more" + i + ".txt");
        }
        ProcessRun gone = diffLines(first - 1, first);
        assertFalse(gone.succeeded(), gone.describe());
        assertTrue(gone.stderr().contains("no longer kept"), gone.describe());
    }

    @Test
    void aBadValueIsRefusedBeforeAnyDaemonStarts() {
        for (String bad : new String[] {"0", "-3", "many", ""}) {
            ProcessRun r = cli(
                    "mount",
                    "--keep-versions",
                    bad,
                    MOUNT.scratch().toString(),
                    MOUNT.scratch().toString());
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stderr().contains("--keep-versions must be a number of at least 1 or 'all'"), r.describe());
        }
    }
}
