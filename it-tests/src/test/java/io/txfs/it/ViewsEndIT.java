package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Views that end: {@code txfs views} tells live views from orphaned ones, {@code txfs views prune}
 * removes the orphaned ones (never one with a live process, never another user's), and
 * {@code txfs views rm} removes several views at once like abort, owner or root only.
 */
final class ViewsEndIT {
    private static final int NOBODY = 65534;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static Path readableJar;

    /** The CLI jar where uid 65534 can read it (the fixture's copy is private). */
    @BeforeAll
    static void copyJar() throws IOException {
        readableJar = MountFixture.readableJarCopy(MOUNT.scratch().resolve("jar"));
    }

    private static ProcessRun txfs(String... args) {
        return MOUNT.txfs(args);
    }

    /** A view made by {@code txfs run} that wrote one file: orphaned as soon as the command exits. */
    private static void orphan(String view) {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun r = txfs(
                "run", "--mount", mnt, "--view", view, "--", "/bin/sh", "-c", "echo x > \"$0/" + view + ".txt\"", mnt);
        assertEquals(0, r.exitCode(), r.describe());
    }

    /** The CLI as uid 65534 (its own group, no others). */
    private static ProcessRun asNobody(String args) {
        return MOUNT.txfsAs(NOBODY, readableJar, args);
    }

    /** Name to the view's row of {@code txfs views --json}. */
    private static Map<String, JsonNode> views() {
        ProcessRun r = txfs("views", "--mount", MOUNT.mountpoint().toString(), "--json");
        assertTrue(r.succeeded(), r.describe());
        Map<String, JsonNode> out = new HashMap<>();
        try {
            for (JsonNode v : ViewAgent.JSON.readTree(r.stdout()).path("views")) {
                out.put(v.path("name").asText(), v);
            }
        } catch (IOException e) {
            throw new AssertionError("views --json is not JSON\n" + r.describe(), e);
        }
        return out;
    }

    @Test
    void pruneRemovesOrphanedViewsAndKeepsLiveOnesAndOthersViews() {
        String mnt = MOUNT.mountpoint().toString();
        orphan("prune-a");
        orphan("prune-b");
        try (ViewAgent live = MOUNT.agent("prune-live", ViewAgent.Way.SHARED_ROOT)) {
            live.write("prune-live.txt", "y\n");
            Map<String, JsonNode> before = views();
            assertEquals("orphaned", before.get("prune-a").path("state").asText(), before.toString());
            assertEquals("orphaned", before.get("prune-b").path("state").asText(), before.toString());
            assertEquals("live", before.get("prune-live").path("state").asText(), before.toString());
            assertEquals(1, before.get("prune-a").path("changed_paths").asLong(), before.toString());
            assertTrue(
                    before.get("prune-a").has("age_seconds")
                            && before.get("prune-a").has("created"),
                    before.toString());

            ProcessRun table = txfs("views", "--mount", mnt);
            assertTrue(table.succeeded(), table.describe());
            assertTrue(
                    table.stdout().lines().anyMatch(l -> l.startsWith("prune-a ") && l.contains(" orphaned ")),
                    table.describe());
            assertTrue(
                    table.stdout().lines().anyMatch(l -> l.startsWith("prune-live ") && l.contains(" live ")),
                    table.describe());

            ProcessRun other = asNobody("views prune");
            assertEquals(0, other.exitCode(), other.describe());
            assertTrue(
                    views().keySet().containsAll(List.of("prune-a", "prune-b")),
                    "another uid's prune leaves root's views\n" + other.describe());

            ProcessRun young = txfs("views", "prune", "--mount", mnt, "--older-than", "1d");
            assertEquals(0, young.exitCode(), young.describe());
            assertTrue(
                    views().keySet().containsAll(List.of("prune-a", "prune-b")),
                    "views younger than a day stay\n" + young.describe());

            ProcessRun prune = txfs("views", "prune", "--mount", mnt);
            assertEquals(0, prune.exitCode(), prune.describe());
            assertTrue(
                    prune.stdout().contains("removed view prune-a")
                            && prune.stdout().contains("removed view prune-b"),
                    prune.describe());
            assertFalse(prune.stdout().contains("prune-live"), prune.describe());
            Map<String, JsonNode> after = views();
            assertFalse(after.containsKey("prune-a") || after.containsKey("prune-b"), after.toString());
            assertEquals("live", after.get("prune-live").path("state").asText(), after.toString());
            assertEquals("y\n", live.read("prune-live.txt"), "the live view keeps its changes");
        }
        // its process gone, the live view is orphaned and goes with the next prune
        MountFixture.await(
                Duration.ofSeconds(10),
                () -> "orphaned".equals(views().get("prune-live").path("state").asText()));
        ProcessRun prune = txfs("views", "prune", "--mount", mnt, "--older-than", "0s");
        assertTrue(prune.stdout().contains("removed view prune-live"), prune.describe());
        assertFalse(views().containsKey("prune-live"));
    }

    @Test
    void rmRemovesSeveralViewsAndFailsForTheOnesItMayNot() {
        String mnt = MOUNT.mountpoint().toString();
        orphan("rm-a");
        orphan("rm-b");
        orphan("rm-c");
        ProcessRun rm = txfs("views", "rm", "--mount", mnt, "rm-a", "no-such-view", "rm-b");
        assertEquals(1, rm.exitCode(), "a name that failed makes the exit status 1\n" + rm.describe());
        assertTrue(
                rm.stdout().contains("removed view rm-a") && rm.stdout().contains("removed view rm-b"), rm.describe());
        assertTrue(rm.stderr().contains("no view no-such-view"), rm.describe());
        Map<String, JsonNode> after = views();
        assertFalse(after.containsKey("rm-a") || after.containsKey("rm-b"), "both are gone: " + after.keySet());

        ProcessRun denied = asNobody("views rm --mount " + mnt + " rm-c");
        assertEquals(1, denied.exitCode(), denied.describe());
        assertTrue(
                denied.stderr().contains("EPERM") && denied.stderr().contains("belongs to uid 0"), denied.describe());
        assertEquals(1, denied.stderr().lines().count(), "a one-line reason\n" + denied.describe());
        assertTrue(views().containsKey("rm-c"), "root's view stays");

        ProcessRun rootRm = txfs("views", "rm", "--mount", mnt, "rm-c");
        assertEquals(0, rootRm.exitCode(), rootRm.describe());
        assertFalse(views().containsKey("rm-c"));
        assertFalse(Files.exists(MOUNT.backing().resolve("rm-c.txt")), "removed, not published");
    }
}
