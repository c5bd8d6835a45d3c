package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.store.MemoryStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * For every fault point: run the engine in a child JVM, SIGKILL it there, reopen, and check that the
 * publish happened entirely or not at all, the backing directory holds the whole state before or after
 * the flush, and no pending or published data was lost.
 */
class CrashTest {
    private static TreeMap<String, String> before;
    private static TreeMap<String, String> afterPublish;

    @BeforeAll
    static void expectations(@TempDir Path tmp) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("expect"));
        CrashScenario.prepareBacking(backing);
        before = Trees.ofDisk(backing);
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            CrashScenario.pendingWork(e);
            CrashScenario.publishWork(e);
            afterPublish = Trees.ofView(e, e.published());
        }
    }

    static Stream<String> points() {
        List<String> all = new ArrayList<>(FaultPoint.ALL);
        all.add(FaultPoint.FLUSH_APPLY_STEP + "@5");
        all.add(FaultPoint.FLUSH_APPLY_STEP + "@12");
        all.add(FaultPoint.GC_BATCH + "@2");
        all.add(FaultPoint.GC_BATCH + "@3");
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("points")
    void killedAtFaultPointRecoversAllOrNothing(String point, @TempDir Path tmp) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Path state = tmp.resolve("state");
        CrashScenario.prepareBacking(backing);
        boolean collecting = point.startsWith("gc."); // the collection after a completed flush
        boolean flushing = point.startsWith("flush.") || collecting;
        String marker = runChildUntilFault(backing, state, point, flushing ? "flush" : "publish", tmp);
        assertEquals("FAULT " + point.split("@")[0], marker, "child reached the fault point");

        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            TreeMap<String, String> published = Trees.ofView(e, e.published());
            boolean publishLanded = !point.equals(FaultPoint.PUBLISH_BEFORE_BATCH);
            assertEquals(publishLanded ? afterPublish : before, published, "published state is all or nothing");

            boolean flushRolledForward = flushing
                    && !point.equals(FaultPoint.FLUSH_STAGED_FILE)
                    && !point.equals(FaultPoint.FLUSH_BEFORE_PLAN_BATCH);
            assertEquals(
                    flushRolledForward ? afterPublish : before,
                    Trees.ofDisk(backing),
                    "backing directory is the whole state before or after the flush");
            assertFalse(Files.exists(backing.resolve(EngineConstants.STAGING)), "no staging area left behind");

            TestFs keep = new TestFs(e, e.view("keep"));
            assertEquals(CrashScenario.KEEP_CONTENT, keep.read("keep.txt"), "pending data survived");
            assertEquals("K", keep.read("dir/a.txt"), "pending copy-up survived");
            assertArrayEquals(
                    CrashScenario.KEEP_BIG, keep.readBytes("keepbig.bin"), "pending chunks in data files survived");
            if (publishLanded) {
                assertArrayEquals(CrashScenario.multiPublished(), new TestFs(e, e.published()).readBytes("multi.bin"));
            }
            assertEquals(publishLanded ? 0 : 1, countPending(e), "publishing view's delta moved or stayed whole");

            e.flush();
            assertEquals(afterPublishIfLanded(publishLanded), Trees.ofDisk(backing), "a later flush completes");
            e.collectGarbage();
            assertEquals(
                    afterPublishIfLanded(publishLanded), Trees.ofView(e, e.published()), "collection keeps the head");
            assertEquals("K", keep.read("dir/a.txt"));
            byte[] big = keep.readBytes("big.bin");
            assertEquals('b', big[Engine.CHUNK + 3], "the keep view's snapshot still reads the old base content");
            assertEquals('Q', big[2 * Engine.CHUNK]);
            assertEquals(
                    CrashScenario.SAME_BEFORE,
                    keep.read("same.txt"),
                    "the keep view's snapshot reads the old content of a file patched to the same size and mtime");
            assertEquals(
                    publishLanded ? CrashScenario.SAME_AFTER : CrashScenario.SAME_BEFORE,
                    new TestFs(e, e.published()).read("same.txt"));
        }
    }

    /**
     * Killed after a write's bytes reached a new data file but before its keys committed: the write never
     * returned, so the view reads as before it, and the file nothing names is removed at open.
     */
    @Test
    void killedBetweenChunkDataAndItsBatchLosesOnlyThatWrite(@TempDir Path tmp) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Path state = tmp.resolve("state");
        CrashScenario.prepareBacking(backing);
        // the first data file write: the keep view's copy-up of big.bin's chunk 2
        String marker = runChildUntilFault(backing, state, FaultPoint.WRITE_AFTER_CHUNK_DATA, "publish", tmp);
        assertEquals("FAULT " + FaultPoint.WRITE_AFTER_CHUNK_DATA, marker);
        try (Stream<Path> files = Files.list(state.resolve("chunks"))) {
            assertEquals(1, files.count(), "the child wrote one data file");
        }
        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            TestFs keep = new TestFs(e, e.view("keep"));
            assertEquals(CrashScenario.KEEP_CONTENT, keep.read("keep.txt"), "writes that returned survived");
            assertEquals("K", keep.read("dir/a.txt"));
            assertEquals('b', keep.readBytes("big.bin")[2 * Engine.CHUNK], "the interrupted write is not half there");
            try (Stream<Path> files = Files.list(state.resolve("chunks"))) {
                assertEquals(0, files.count(), "the orphaned data file was swept at open");
            }
            e.write(keep.view, keep.ino("big.bin"), 2L * Engine.CHUNK, TestFs.b("Q"));
            assertEquals('Q', keep.readBytes("big.bin")[2 * Engine.CHUNK]);
        }
    }

    /**
     * Killed just before or just after the one batch that takes in an outside change: after restart the
     * log holds the take-in entirely (head = flushed = its version) or not at all, and the next access
     * takes the change in again; either way the published state ends equal to the disk.
     */
    @ParameterizedTest
    @ValueSource(strings = {FaultPoint.OUTSIDE_BEFORE_BATCH, FaultPoint.OUTSIDE_AFTER_BATCH})
    void killedAroundTheOutsideTakeInBatchLeavesAllOrNothing(String point, @TempDir Path tmp) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        Path state = tmp.resolve("state");
        CrashScenario.prepareBacking(backing);
        String marker = runChildUntilFault(backing, state, point, "outside", tmp);
        assertEquals("FAULT " + point, marker);
        try (Engine e = Engine.open(EngineConfig.rocks(backing, state))) {
            long outside =
                    e.log().stream().filter(l -> l.kind().equals("outside")).count();
            boolean landed = point.equals(FaultPoint.OUTSIDE_AFTER_BATCH);
            assertEquals(landed ? 1 : 0, outside, "the take-in is one batch");
            assertEquals(e.headVersion(), e.flushedVersion());
            if (landed) {
                TestFs pub = new TestFs(e, e.published());
                assertEquals(CrashScenario.OUTSIDE_HELLO, pub.read("hello.txt"));
                assertEquals("added outside", pub.read("dir/outside-new.txt"));
                assertFalse(pub.exists("dir/sub/deep.txt"));
                assertFalse(e.rescan().tookIn(), "nothing half taken in is left for a rescan");
            } else {
                assertTrue(e.rescan().tookIn(), "the change is still there to take in");
            }
            assertEquals(Trees.ofDisk(backing), Trees.ofView(e, e.published()));
            TestFs keep = new TestFs(e, e.view("keep"));
            assertEquals(CrashScenario.KEEP_CONTENT, keep.read("keep.txt"), "pending data survived");
            assertEquals("K", keep.read("dir/a.txt"));
        }
    }

    private static TreeMap<String, String> afterPublishIfLanded(boolean landed) {
        return landed ? afterPublish : before;
    }

    private static int countPending(Engine e) {
        return e.pendingDelta(e.view("pub")).isEmpty() ? 0 : 1;
    }

    private static String runChildUntilFault(Path backing, Path state, String point, String mode, Path tmp)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                backing.toString(),
                state.toString(),
                point,
                mode);
        File err = tmp.resolve("child-stderr.txt").toFile();
        pb.redirectError(err);
        Process p = pb.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("FAULT") || line.equals("DONE")) return line;
            }
            return "EOF: " + Files.readString(err.toPath());
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }
    }
}
