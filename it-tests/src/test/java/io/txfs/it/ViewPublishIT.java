package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Publish makes a view's changes visible: at once to read-committed views (the same process reading
 * again through caches it warmed before the publish), to snapshot views only after their own publish;
 * and atomically: readers never see part of a publish while a writer publishes generation after
 * generation.
 */
final class ViewPublishIT {
    private static final int FILES = 8;
    private static final int GENERATIONS = 40;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(ViewPublishIT::seed);

    private static String dir(ViewAgent.Way way, String what) {
        return what + "-" + way.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void seed(Path backing) {
        try {
            for (ViewAgent.Way way : ViewAgent.Way.values()) {
                Path d = Files.createDirectories(backing.resolve(dir(way, "pub")));
                Files.writeString(d.resolve("f.txt"), "v0\n");
                Files.writeString(d.resolve("gone.txt"), "to be deleted\n");
                for (String isolation : List.of("read-committed", "snapshot")) {
                    Path g = Files.createDirectories(backing.resolve(dir(way, "atom") + "-" + isolation));
                    for (int i = 0; i < FILES; i++) {
                        Files.writeString(g.resolve("g" + i), payload(0, "g" + i));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same content view_agent.py's generation_payload writes. */
    private static String payload(int g, String name) {
        return String.format("gen=%08d path=%s\n", g, name).repeat(1 + (g % 7) * 40);
    }

    /** Publishes a view by name with the CLI from outside (ControlFileIT covers the control file inside views). */
    private static void publish(ViewAgent view, String what) {
        ProcessRun r = MOUNT.txfs("publish", "--mount", MOUNT.mountpoint().toString(), view.view());
        assertTrue(r.succeeded(), what + ": " + r.describe());
    }

    @ParameterizedTest
    @EnumSource(ViewAgent.Way.class)
    void publishIsSeenAtOnceByReadCommittedAndAfterTheirOwnPublishBySnapshotViews(ViewAgent.Way way) {
        String d = dir(way, "pub");
        String tag = way.name().toLowerCase(Locale.ROOT).replace('_', '-');
        try (ViewAgent w = MOUNT.agent("pw-" + tag, way);
                ViewAgent rc = MOUNT.agent("prc-" + tag, way, "read-committed");
                ViewAgent snap = MOUNT.agent("psnap-" + tag, way, "snapshot")) {
            for (ViewAgent r : List.of(rc, snap)) {
                assertEquals("v0\n", r.read(d + "/f.txt"), r + " before");
                assertEquals(3, r.stat(d + "/f.txt").get("size").asInt());
                assertEquals(List.of("f.txt", "gone.txt"), r.list(d));
                assertFalse(r.exists(d + "/new.txt"));
                assertEquals("ENODATA", r.errno("getxattr", "path", MOUNT.mnt(d + "/f.txt"), "name", "user.k"));
            }
            String v1 = "v1, a longer content\n";
            w.write(d + "/f.txt", v1);
            w.write(d + "/new.txt", "new\n");
            w.call("unlink", "path", MOUNT.mnt(d + "/gone.txt"));
            w.call("setxattr", "path", MOUNT.mnt(d + "/f.txt"), "name", "user.k", "value", "1");
            assertEquals("v0\n", rc.read(d + "/f.txt"), "read-committed view before the publish");
            int early = rc.call("map", "path", MOUNT.mnt(d + "/f.txt"), "shared", false)
                    .asInt();
            assertEquals(
                    "v0\n", rc.call("mapread", "map", early).asText(), "read-committed view maps the published file");
            rc.call("unmap", "map", early);

            publish(w, "first publish");

            // read-committed: at once, through the caches warmed above
            assertEquals(v1, rc.read(d + "/f.txt"), "read-committed view reads the published content");
            assertEquals(v1.length(), rc.stat(d + "/f.txt").get("size").asInt(), "read-committed view's stat size");
            int late = rc.call("map", "path", MOUNT.mnt(d + "/f.txt"), "shared", false)
                    .asInt();
            assertEquals(
                    v1,
                    rc.call("mapread", "map", late).asText(),
                    "a new mapping in the read-committed view after the publish");
            rc.call("unmap", "map", late);
            assertEquals(List.of("f.txt", "new.txt"), rc.list(d), "read-committed view's listing");
            assertEquals("new\n", rc.read(d + "/new.txt"), "read-committed view opens the new file");
            assertFalse(rc.exists(d + "/gone.txt"), "read-committed view no longer finds the deleted file");
            assertEquals(
                    "1",
                    rc.call("getxattr", "path", MOUNT.mnt(d + "/f.txt"), "name", "user.k")
                            .asText(),
                    "read-committed view's xattr");

            // snapshot: not until its own publish
            assertEquals("v0\n", snap.read(d + "/f.txt"), "snapshot view keeps its snapshot");
            assertEquals(3, snap.stat(d + "/f.txt").get("size").asInt(), "snapshot view's stat size");
            assertEquals(List.of("f.txt", "gone.txt"), snap.list(d), "snapshot view's listing");
            assertFalse(snap.exists(d + "/new.txt"), "snapshot view does not find the new file");
            publish(snap, "the snapshot view's own (empty) publish");
            assertEquals(v1, snap.read(d + "/f.txt"), "snapshot view after its own publish");
            assertEquals(List.of("f.txt", "new.txt"), snap.list(d), "snapshot view's listing after its own publish");
            assertEquals(v1.length(), snap.stat(d + "/f.txt").get("size").asInt());

            // a second round: the same warm caches must not serve the first publish's content
            String v2 = "v2\n";
            w.write(d + "/f.txt", v2);
            w.call("unlink", "path", MOUNT.mnt(d + "/new.txt"));
            publish(w, "second publish");
            assertEquals(v2, rc.read(d + "/f.txt"), "read-committed view after the second publish");
            assertEquals(3, rc.stat(d + "/f.txt").get("size").asInt());
            assertFalse(rc.exists(d + "/new.txt"), "read-committed view after the second publish deleted new.txt");
            assertEquals(v1, snap.read(d + "/f.txt"), "snapshot view keeps the first publish");
            assertTrue(snap.exists(d + "/new.txt"));
            assertEquals(v2, w.read(d + "/f.txt"), "the publisher continues on its own publish");
        }
    }

    /**
     * Generations only grow, and a read-committed view reads what is published at that moment, so in the
     * order a reader reads the N files their generations never decrease; a publish seen in part (or a
     * stale page) shows as a decrease for some order, and the reader alternates forward, backward and
     * shuffled orders.
     */
    @ParameterizedTest
    @EnumSource(ViewAgent.Way.class)
    void readCommittedReadersNeverSeePartOfAPublish(ViewAgent.Way readerWay) {
        atomicity(readerWay, "read-committed");
    }

    /** A snapshot view that refreshes with its own (empty) publish sits on one version: all N files agree. */
    @ParameterizedTest
    @EnumSource(ViewAgent.Way.class)
    void snapshotReadersSeeOneGenerationInAllFiles(ViewAgent.Way readerWay) {
        atomicity(readerWay, "snapshot");
    }

    private static void atomicity(ViewAgent.Way readerWay, String isolation) {
        String tag = readerWay.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + isolation;
        String d = dir(readerWay, "atom") + "-" + isolation;
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            paths.add(MOUNT.mnt(d + "/g" + i));
        }
        try (ViewAgent writer = MOUNT.agent("aw-" + tag, ViewAgent.Way.SHARED_ROOT);
                ViewAgent reader = MOUNT.agent("ar-" + tag, readerWay, isolation)) {
            reader.submit(
                    "gen_check",
                    "paths",
                    paths,
                    "mount",
                    MOUNT.mountpoint().toString(),
                    "mode",
                    isolation,
                    "final",
                    GENERATIONS,
                    "max_rounds",
                    20000);
            writer.submit(
                    "gen_write",
                    "paths",
                    paths,
                    "mount",
                    MOUNT.mountpoint().toString(),
                    "first",
                    1,
                    "last",
                    GENERATIONS);
            JsonNode written = writer.awaitReply(Duration.ofSeconds(120));
            JsonNode read = reader.awaitReply(Duration.ofSeconds(120));
            assertTrue(written.path("ok").asBoolean(), "writer: " + written);
            assertEquals(GENERATIONS, written.get("result").get("published").size(), "writer's publishes: " + written);
            assertTrue(read.path("ok").asBoolean(), "reader: " + read);
            String report = isolation + " reader in " + readerWay + ": " + read.get("result");
            System.out.println("atomicity: " + report);
            assertEquals(0, read.get("result").get("violations").size(), "the reader saw part of a publish: " + report);
            JsonNode seen = read.get("result").get("seen");
            assertEquals(
                    GENERATIONS,
                    seen.get(seen.size() - 1).asInt(),
                    "the reader ends on the last generation: " + report);
        }
    }
}
