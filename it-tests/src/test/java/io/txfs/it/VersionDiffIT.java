package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5 through a live mount, between published versions: delta ids in {@code txfs log} (equal for two
 * publishes that make the same change from the same state, computed after a SIGKILL that came before
 * them), {@code txfs diff --from/--to} between log versions, {@code --published --backing}, and a clear
 * error when an old version's content is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class VersionDiffIT {
    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(backing -> {
        try {
            Files.createDirectories(backing.resolve("src"));
            Files.writeString(backing.resolve("src/main.c"), "int main() {\n  return 0;\n}\n");
            Files.writeString(backing.resolve("README"), "hello\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

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

    /** Runs a shell script in a new view and publishes it; returns the published version. */
    private static long publish(String view, String script) {
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
        return json(cli("log", "--mount", mnt(), "--json"))
                .path("published_version")
                .asLong();
    }

    /** The log entry of a version, once every queued delta id is computed ({@code log --wait}). */
    private static JsonNode logEntry(long version) {
        return logEntry(version, true);
    }

    private static JsonNode logEntry(long version, boolean wait) {
        ProcessRun log =
                wait ? cli("log", "--mount", mnt(), "--json", "--wait") : cli("log", "--mount", mnt(), "--json");
        for (JsonNode e : json(log).path("entries")) {
            if (e.path("version").asLong() == version) {
                return e;
            }
        }
        throw new AssertionError("no log entry " + version);
    }

    private static JsonNode diff(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "diff";
        all[1] = "--mount";
        all[2] = mnt();
        System.arraycopy(args, 0, all, 3, args.length);
        all[all.length - 1] = "--json";
        return json(cli(all));
    }

    /** First, while only the view it makes exists: a flush then preserves nothing. */
    @Test
    @Order(1)
    void anOldVersionWhoseBackingFileAFlushPatchedIsAClearError() {
        long v = publish("patch", "printf 'hello again\\n' > README");
        ProcessRun flush = cli("flush", "--mount", mnt());
        assertTrue(flush.succeeded(), flush.describe());
        ProcessRun gone = cli("diff", "--mount", mnt(), "--from", "0", "--to", Long.toString(v));
        assertFalse(gone.succeeded(), gone.describe());
        // the mount keeps the versions since the last flush (docs/storage-format.md, garbage collection); with
        // more kept, the same diff is EIO because the patched file's old content is gone (VersionInspectionContract)
        assertTrue(gone.stderr().contains("ENOENT") && gone.stderr().contains("no longer kept"), gone.describe());
        assertEquals("", gone.stdout(), "no partial output");
        // the log still has the publish's id: it was computed before the flush changed the file
        JsonNode entry = logEntry(v);
        assertEquals("computed", entry.path("delta_state").asText(), entry.toString());
        assertEquals(40, entry.path("delta_id").asText().length());
        // kept versions diff fine: the flush (version v + 1) changed nothing visible
        assertEquals(
                0,
                diff("--from", Long.toString(v + 1), "--to", "published", "--format=jsonl")
                        .path("changed_paths")
                        .asLong());
    }

    @Test
    @Order(2)
    void theSameChangeFromTheSameStateHasTheSameDeltaIdInTheLog() {
        long add1 = publish("add1", "mkdir -p gen && printf 'generated\\n' > gen/out.txt && chmod 755 gen/out.txt");
        long del = publish("del", "rm -r gen");
        long add2 = publish("add2", "mkdir gen && printf 'generated\\n' > gen/out.txt && chmod 755 gen/out.txt");
        JsonNode e1 = logEntry(add1);
        JsonNode e2 = logEntry(add2);
        assertEquals("computed", e1.path("delta_state").asText(), e1.toString());
        assertEquals(e1.path("delta_id").asText(), e2.path("delta_id").asText(), e1 + "\n" + e2);
        assertNotEquals(
                e1.path("delta_id").asText(), logEntry(del).path("delta_id").asText());
        // the id is the canonical delta's between the versions before and after the publish
        JsonNode d = diff("--from", Long.toString(add2 - 1), "--to", Long.toString(add2), "--format=jsonl");
        assertEquals(e2.path("delta_id").asText(), d.path("delta_id").asText());
        assertEquals(2, d.path("changed_paths").asLong(), d.toString());
        // the text log shows it in its last column
        ProcessRun text = cli("log", "--mount", mnt());
        assertTrue(
                text.succeeded()
                        && text.stdout()
                                .lines()
                                .anyMatch(l -> l.trim().startsWith(add2 + " ")
                                        && l.endsWith(e2.path("delta_id").asText())),
                text.describe());
    }

    @Test
    @Order(3)
    void diffBetweenVersionsAsTextStatAndJsonLines() {
        long before = json(cli("log", "--mount", mnt(), "--json"))
                .path("published_version")
                .asLong();
        long after = publish(
                "edit",
                "printf 'int main() {\\n  return 1;\\n}\\n' > src/main.c && rm README && ln -s src/main.c link");
        ProcessRun text = cli("diff", "--mount", mnt(), "--from", Long.toString(before), "--to", Long.toString(after));
        assertTrue(text.succeeded(), text.describe());
        assertEquals("""
                diff --txfs a/README b/README
                deleted file mode 100644
                --- a/README
                +++ /dev/null
                @@ -1 +0,0 @@
                -hello again
                diff --txfs a/link b/link
                new file mode 120777
                --- /dev/null
                +++ b/link
                @@ -0,0 +1 @@
                +src/main.c
                diff --txfs a/src/main.c b/src/main.c
                --- a/src/main.c
                +++ b/src/main.c
                @@ -1,3 +1,3 @@
                 int main() {
                -  return 0;
                +  return 1;
                 }
                """, text.stdout());
        ProcessRun stat =
                cli("diff", "--mount", mnt(), "--from", Long.toString(before), "--to", Long.toString(after), "--stat");
        assertTrue(stat.succeeded() && stat.stdout().contains(" 3 files changed"), stat.describe());
        ProcessRun lines = cli(
                "diff",
                "--mount",
                mnt(),
                "--from",
                Long.toString(before),
                "--to",
                Long.toString(after),
                "--format=jsonl");
        assertTrue(lines.succeeded(), lines.describe());
        assertEquals(
                List.of("README", "link", "src/main.c"),
                lines.stdout()
                        .lines()
                        .map(l -> l.substring(l.indexOf("\"path\":\"") + 8, l.indexOf("\",\"change\"")))
                        .toList());
        assertTrue(lines.stderr().contains("versions " + before + " to " + after), lines.describe());
        // backwards is the inverse change
        JsonNode back = diff("--from", Long.toString(after), "--to", Long.toString(before), "--format=jsonl");
        assertTrue(
                back.path("jsonl").asText().contains("{\"path\":\"link\",\"change\":\"deleted\",\"type\":\"symlink\"}"),
                back.toString());
        ProcessRun missing = cli("diff", "--mount", mnt(), "--from", "0", "--to", "99999");
        assertFalse(missing.succeeded());
        assertTrue(missing.stderr().contains("no version 99999"), missing.describe());
    }

    @Test
    @Order(4)
    void publishedAgainstBackingIsWhatTheNextFlushWrites() {
        JsonNode pending = diff("--published", "--backing", "--format=jsonl");
        assertTrue(pending.path("changed_paths").asLong() > 0, pending.toString());
        assertTrue(pending.path("jsonl").asText().contains("\"path\":\"src/main.c\""), pending.toString());
        ProcessRun flush = cli("flush", "--mount", mnt());
        assertTrue(flush.succeeded(), flush.describe());
        long flushed = json(cli("log", "--mount", mnt(), "--json"))
                .path("flushed_version")
                .asLong();
        JsonNode entry = logEntry(flushed);
        assertEquals("flush", entry.path("kind").asText());
        assertEquals(
                pending.path("delta_id").asText(),
                entry.path("delta_id").asText(),
                "the flush's delta id is the published-vs-backing delta it wrote");
        assertEquals(
                0,
                diff("--published", "--backing", "--format=jsonl")
                        .path("changed_paths")
                        .asLong());
        ProcessRun empty = cli("diff", "--mount", mnt(), "--published", "--backing");
        assertTrue(empty.succeeded() && empty.stdout().isEmpty(), empty.describe());
    }

    @Test
    @Order(5)
    void anIdNotComputedBeforeASigkillIsComputedAfterTheRestart() {
        MOUNT.stopDaemon(true);
        MOUNT.restart(List.of("-Dtxfs.test.holdDeltaIds=true"));
        long v = publish("held", "printf 'held\\n' > held.txt");
        JsonNode held = logEntry(v, false);
        assertEquals("pending", held.path("delta_state").asText(), held.toString());
        assertTrue(held.path("delta_id").isNull(), held.toString());
        ProcessRun text = cli("log", "--mount", mnt());
        assertTrue(
                text.stdout().lines().anyMatch(l -> l.trim().startsWith(v + " ") && l.endsWith(" pending")),
                text.describe());

        MOUNT.stopDaemon(true);
        MOUNT.restart(List.of());
        JsonNode after = logEntry(v);
        assertEquals("computed", after.path("delta_state").asText(), after.toString());
        assertEquals(
                diff("--from", Long.toString(v - 1), "--to", Long.toString(v), "--format=jsonl")
                        .path("delta_id")
                        .asText(),
                after.path("delta_id").asText());
    }
}
