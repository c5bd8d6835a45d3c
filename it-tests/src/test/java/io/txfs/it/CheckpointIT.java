package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checkpoints through a live mount (docs/reproducibility.md, "Checkpoints"): a shell in a view takes one through
 * the control file, changes files, rolls back, and at once reads the checkpointed content, listing and sizes —
 * the kernel's caches of the view are dropped — while its open descriptors follow the documented rules; the
 * CLI lists, takes and rolls back from outside, diffs two checkpoints with a delta id, and another uid cannot
 * touch the view's checkpoints.
 */
final class CheckpointIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static ProcessRun cli(String... args) {
        return ProcessRun.run(MountFixture.command(args), MOUNT.scratch(), Map.of(), MountFixture.CLI_DEADLINE);
    }

    private static ProcessRun inView(String view, String script) {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun r = cli("run", "--mount", mnt, "--view", view, "--", "/bin/sh", "-c", "cd \"$0\" && " + script, mnt);
        assertTrue(r.succeeded(), r.describe());
        return r;
    }

    private static JsonNode json(ProcessRun r) throws IOException {
        assertTrue(r.succeeded(), r.describe());
        return ViewAgent.JSON.readTree(r.stdout());
    }

    @Test
    void aShellRollsBackAndSeesTheCheckpointAtOnce() {
        ProcessRun r = inView(
                "cp-shell",
                String.join(
                        "; ",
                        "mkdir shell && cd shell", // its own directory: another test of this mount publishes
                        "printf one > f",
                        "printf base > g",
                        "echo 'checkpoint name=one' > ../.txfs/ctl || exit 10",
                        "printf two-and-longer > f",
                        "printf new > h",
                        "mkdir d",
                        "rm g",
                        "exec 3< f",
                        "exec 4< h",
                        // warm the kernel's caches: size, page cache, listing
                        "echo \"before:$(cat f):$(ls | tr '\\n' ,)\"",
                        "echo 'rollback name=one' > ../.txfs/ctl || exit 11",
                        "echo \"after:$(cat f):$(ls | tr '\\n' ,):$(stat -c %s f)\"",
                        "echo \"fd3:$(cat <&3)\"",
                        "cat <&4 > /dev/null 2>&1; echo \"fd4:$?\"",
                        "echo 'rollback name=nope' > ../.txfs/ctl 2>/dev/null; echo \"unknown:$?\""));
        List<String> lines = r.stdout().lines().toList();
        assertEquals("before:two-and-longer:d,f,h,", lines.get(0), r.describe());
        assertEquals("after:one:f,g,:3", lines.get(1), "the checkpoint's files, at once\n" + r.describe());
        assertEquals("fd3:one", lines.get(2), "a descriptor on a file of the checkpoint reads it as it was there");
        assertNotEquals("fd4:0", lines.get(3), "a file made after the checkpoint is gone for its descriptors too");
        assertEquals("unknown:1", lines.get(4), "the write fails visibly (ENOENT)");
    }

    @Test
    void theCliTakesListsDiffsAndRollsBack() throws IOException {
        String mnt = MOUNT.mountpoint().toString();
        inView("cp-cli", "mkdir out && echo 'int a;' > out/a.c && echo v1 > out/version");
        ProcessRun take = cli("checkpoint", "--mount", mnt, "--view", "cp-cli", "first");
        assertTrue(take.succeeded(), take.describe());
        assertTrue(take.stderr().contains("checkpoint first of view cp-cli: 3 changed paths"), take.describe());
        String idAtFirst = json(cli("status", "--mount", mnt, "cp-cli", "--canonical", "--json"))
                .path("delta_id")
                .asText();

        inView("cp-cli", "echo v2 > out/version && echo 'int b;' > out/b.c && rm out/a.c");
        assertTrue(
                cli("checkpoint", "--mount", mnt, "--view", "cp-cli", "second").succeeded());
        inView("cp-cli", "echo v3 > out/version");

        JsonNode list = json(cli("checkpoints", "--mount", mnt, "cp-cli", "--json"));
        assertEquals(2, list.path("checkpoints").size(), list.toString());
        assertEquals("first", list.path("checkpoints").get(0).path("name").asText());
        assertEquals(3, list.path("checkpoints").get(0).path("changed_paths").asLong());

        ProcessRun text = cli("diff", "--mount", mnt, "cp-cli", "--from", "cp:first", "--to", "cp:second");
        assertTrue(text.succeeded(), text.describe());
        assertTrue(text.stdout().contains("-v1\n+v2\n"), text.describe());
        assertTrue(text.stdout().contains("+++ b/out/b.c"), text.describe());
        assertTrue(text.stdout().contains("--- a/out/a.c"), text.describe());
        JsonNode between = json(cli(
                "diff",
                "--mount",
                mnt,
                "cp-cli",
                "--from",
                "cp:first",
                "--to",
                "cp:second",
                "--format",
                "jsonl",
                "--json"));
        assertEquals(3, between.path("changed_paths").asLong(), between.toString());
        JsonNode toNow = json(cli(
                "diff",
                "--mount",
                mnt,
                "cp-cli",
                "--from",
                "cp:second",
                "--to",
                "current",
                "--format",
                "jsonl",
                "--json"));
        assertEquals(1, toNow.path("changed_paths").asLong(), "only out/version changed since: " + toNow);
        assertNotEquals(
                between.path("delta_id").asText(), toNow.path("delta_id").asText());
        JsonNode fromPublished = json(cli(
                "diff",
                "--mount",
                mnt,
                "cp-cli",
                "--from",
                "published",
                "--to",
                "cp:first",
                "--format",
                "jsonl",
                "--json"));
        assertEquals(idAtFirst, fromPublished.path("delta_id").asText(), "the delta id the view had at the checkpoint");

        ProcessRun back = cli("rollback", "--mount", mnt, "--view", "cp-cli", "first");
        assertTrue(back.succeeded(), back.describe());
        assertTrue(back.stderr().contains("dropped checkpoints: second"), back.describe());
        ProcessRun read = inView("cp-cli", "cat out/version out/a.c; ls out");
        assertEquals("v1\nint a;\na.c\nversion\n", read.stdout());
        assertEquals(
                idAtFirst,
                json(cli("status", "--mount", mnt, "cp-cli", "--canonical", "--json"))
                        .path("delta_id")
                        .asText());
        ProcessRun gone = cli("diff", "--mount", mnt, "cp-cli", "--from", "cp:second", "--to", "current");
        assertEquals(1, gone.exitCode(), gone.describe());
        assertTrue(gone.stderr().contains("no checkpoint second"), gone.describe());

        ProcessRun publish = cli("publish", "--mount", mnt, "cp-cli");
        assertTrue(publish.succeeded(), publish.describe());
        JsonNode after = json(cli("checkpoints", "--mount", mnt, "cp-cli", "--json"));
        assertEquals(0, after.path("checkpoints").size(), "a publish drops them: " + after);
    }

    @Test
    void anotherUserCannotTouchTheViewsCheckpoints() {
        String mnt = MOUNT.mountpoint().toString();
        inView("cp-owned", "echo mine > owned.txt && echo 'checkpoint name=mine' > .txfs/ctl");
        inView("cp-owned", "echo later > owned.txt");
        String script = "for c in 'rollback view=cp-owned name=mine' 'checkpoint view=cp-owned name=theirs'"
                + " 'checkpoints view=cp-owned'; do echo \"$c\" > \"$0/.txfs/ctl\" 2>/dev/null; echo $?; done";
        ProcessRun nobody = MOUNT.run(
                MOUNT.scratch(),
                List.of(
                        "setsid",
                        "-w",
                        "setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "/bin/sh",
                        "-c",
                        script,
                        mnt));
        assertEquals("1\n1\n1\n", nobody.stdout(), nobody.describe());
        ProcessRun mine = inView("cp-owned", "cat owned.txt; echo 'checkpoints' > .txfs/ctl && echo listed");
        assertEquals("later\nlisted\n", mine.stdout(), "untouched");
        ProcessRun list = cli("checkpoints", "--mount", mnt, "cp-owned");
        assertTrue(list.stdout().startsWith("mine "), list.describe());
        assertFalse(list.stdout().contains("theirs"), list.describe());
    }
}
