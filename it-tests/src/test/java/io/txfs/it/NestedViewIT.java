package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nested views through a live mount (docs/views.md, "Nested views"): {@code txfs run} inside a view begins a
 * child, eight levels deep, each publishing into the one above and none into the published state; two
 * children of one view changing the same file conflict for the second; a kept child shows its parent and
 * only its own changes.
 */
final class NestedViewIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static ProcessRun cli(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    /** The CLI as one shell word list, for scripts. */
    private static String cliWords() {
        StringBuilder b = new StringBuilder();
        for (String w : MountFixture.command())
            b.append('\'').append(w.replace("'", "'\\''")).append("' ");
        return b.toString().trim();
    }

    @Test
    void eightLevelsEachPublishingIntoTheOneAbove() throws IOException {
        String mnt = MOUNT.mountpoint().toString();
        Path level = MOUNT.scratch().resolve("level.sh");
        // level N writes fN, runs level N+1 in a child view that publishes into it, then sees its files
        Files.writeString(
                level,
                String.join(
                        "\n",
                        "set -e",
                        "n=$1; mnt=$2",
                        "mkdir -p \"$mnt/deep\"",
                        "echo \"level $n\" > \"$mnt/deep/f$n\"",
                        "if [ \"$n\" -lt 8 ]; then",
                        "  " + cliWords()
                                + " run --mount \"$mnt\" --on-success publish -- /bin/sh \"$0\" $((n + 1)) \"$mnt\"",
                        "  test \"$(cat \"$mnt/deep/f8\")\" = \"level 8\"",
                        "fi",
                        "echo \"level $n sees $(ls \"$mnt/deep\" | wc -l) files\"",
                        ""));
        ProcessRun r = cli("run", "--mount", mnt, "--view", "deep", "--", "/bin/sh", level.toString(), "1", mnt);
        assertEquals(0, r.exitCode(), r.describe());
        for (int n = 1; n <= 8; n++)
            assertTrue(
                    r.stdout().contains("level " + n + " sees 8 files"),
                    "its children's files merged\n" + r.describe());
        assertEquals(7, r.stderr().split("merged into view", -1).length - 1, "seven merges\n" + r.describe());

        JsonNode status = ViewAgent.JSON.readTree(
                cli("status", "--mount", mnt, "deep", "--json").stdout());
        assertEquals(9, status.path("changed_paths").asLong(), "deep/ and f1..f8 pending in the top view: " + status);
        assertFalse(Files.exists(MOUNT.mountpoint().resolve("deep")), "none published");
        JsonNode views =
                ViewAgent.JSON.readTree(cli("views", "--mount", mnt, "--json").stdout());
        assertEquals(1, count(views, "deep"), "no child left behind: " + views);
        assertTrue(cli("abort", "--mount", mnt, "deep").succeeded());
    }

    @Test
    void siblingsChangingOneFileConflictForTheSecond() throws IOException {
        String mnt = MOUNT.mountpoint().toString();
        String child = cliWords() + " run --mount \"$0\" --view %s --on-success publish -- /bin/sh -c"
                + " 'echo %s > \"$0/sib/shared\"; echo %s > \"$0/sib/%s\"' \"$0\"; echo %s=$?";
        // both children begin before either publishes: b's start does not have a's change
        String script = "mkdir \"$0/sib\" && echo base > \"$0/sib/shared\"; "
                + cliWords() + " run --mount \"$0\" --view sib-b -- /bin/true; "
                + String.format(child, "sib-a", "a", "a", "a-only", "a") + "; "
                + String.format(child, "sib-b", "b", "b", "b-only", "b") + "; "
                + "cat \"$0/sib/shared\"; ls \"$0/sib\"";
        ProcessRun r = cli("run", "--mount", mnt, "--view", "sib", "--", "/bin/sh", "-c", script, mnt);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("a=0"), r.describe());
        assertTrue(r.stdout().contains("b=3"), "the second publish conflicts (exit 3)\n" + r.describe());
        assertTrue(r.stderr().contains("conflicts with changes its parent view sib took"), r.describe());
        assertTrue(r.stdout().contains("a\na-only\nshared\n"), "only a's changes in sib\n" + r.describe());

        ProcessRun views = cli("views", "--mount", mnt);
        assertTrue(
                views.stdout().lines().anyMatch(l -> l.startsWith("sib-b ") && l.endsWith("inside sib")),
                views.describe());
        ProcessRun diff = cli("status", "--mount", mnt, "sib-b");
        assertTrue(diff.stdout().contains("sib/b-only") && diff.stdout().contains("sib/shared"), diff.describe());
        assertFalse(
                diff.stdout().contains("a-only"), "a child's changes are told against its parent\n" + diff.describe());
        ProcessRun commit = cli("commit", "--mount", mnt, "sib-b");
        assertEquals(1, commit.exitCode(), "a child is not committed\n" + commit.describe());
        ProcessRun parentPublish = cli("publish", "--mount", mnt, "sib");
        assertEquals(3, parentPublish.exitCode(), "EBUSY: " + parentPublish.describe());
        assertTrue(parentPublish.stderr().contains("has child views (sib-a, sib-b)"), parentPublish.describe());
        assertTrue(cli("abort", "--mount", mnt, "sib").succeeded(), "the parent goes with its child");
        JsonNode after =
                ViewAgent.JSON.readTree(cli("views", "--mount", mnt, "--json").stdout());
        assertEquals(0, count(after, "sib") + count(after, "sib-a") + count(after, "sib-b"), after.toString());
    }

    private static int count(JsonNode views, String name) {
        int n = 0;
        for (JsonNode v : views.path("views")) if (v.path("name").asText().equals(name)) n++;
        return n;
    }
}
