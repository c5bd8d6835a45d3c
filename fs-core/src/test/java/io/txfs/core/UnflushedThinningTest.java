package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.VersionHook;
import io.txfs.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many publishes without a flush (the shared default's groups) keep only the flushed version, the
 * newest keepUnflushed versions and what snapshots read: the names each thinned version had go, so a
 * listing costs the directory's names, not its history (GcPolicy.keepFrom).
 */
class UnflushedThinningTest {
    private static final int ROUNDS = 60;
    private static final int WINDOW = 8;

    @TempDir
    Path tmp;

    private Path backing;
    private MemoryStore memory;

    private Engine open(String store) {
        return open(store, false);
    }

    /** auto false: collections run only when the test asks, so it sees the store before and after one. */
    private Engine open(String store, boolean auto) {
        GcPolicy gc = new GcPolicy(auto, 1, WINDOW);
        if (store.equals("rocks"))
            return Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")).withGc(gc));
        memory = memory == null ? new MemoryStore() : memory.reopened();
        return Engine.open(EngineConfig.memory(backing, memory).withGc(gc));
    }

    private static long entryVersions(Engine e, long dir) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(ColumnFamily.DENT, Bytes.longs(dir))) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void versionsBetweenTheFlushedAndTheNewestAreThinnedOut(String store) throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.writeString(backing.resolve("small.txt"), "small");
        Engine e = open(store);
        long[] at = new long[ROUNDS];
        try {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            TestFs snap = null;
            for (int round = 0; round < ROUNDS; round++) {
                w.write("f" + round, "file " + round);
                if (round > 0) w.rm("f" + (round - 1));
                w.write("small.txt", "small " + round);
                at[round] = e.publish(w.view, false).version();
                if (round == 10) snap = new TestFs(e, e.createView("snap", Isolation.SNAPSHOT, 0));
            }
            long before = entryVersions(e, Engine.ROOT);
            e.collectGarbage();
            long after = entryVersions(e, Engine.ROOT);
            // kept: small.txt at the flushed version, at the snapshot's and at the WINDOW newest; f10 for the
            // snapshot and the names of the window, each with the version that removed it
            assertTrue(before >= 2 * ROUNDS, before + " entry versions before the collection");
            assertTrue(after <= 4 * WINDOW + 8, after + " entry versions left of " + before);

            FsException thinned = assertThrows(FsException.class, () -> e.versionView(at[30]));
            assertEquals(Errno.ENOENT, thinned.errno());
            assertTrue(thinned.getMessage().contains("no longer kept"), thinned.getMessage());

            TestFs newest = new TestFs(e, e.versionView(at[ROUNDS - WINDOW + 1]));
            assertEquals("small " + (ROUNDS - WINDOW + 1), newest.read("small.txt"));
            assertEquals(List.of("f" + (ROUNDS - WINDOW + 1), "small.txt"), newest.ls(""));
            TestFs flushed = new TestFs(e, e.versionView(0));
            assertEquals("small", flushed.read("small.txt"));
            assertEquals(List.of("small.txt"), flushed.ls(""));
            assertEquals("small 10", snap.read("small.txt"), "a snapshot reads its version whole");
            assertEquals(List.of("f10", "small.txt"), snap.ls(""));
            TestFs fromSnapshot = new TestFs(e, e.versionView(at[10]));
            assertEquals("file 10", fromSnapshot.read("f10"), "a version a snapshot reads stays kept");

            TestFs published = new TestFs(e, e.published());
            assertEquals(List.of("f" + (ROUNDS - 1), "small.txt"), published.ls(""));
            e.discard(snap.view);
        } finally {
            e.close();
        }
        Engine again = open(store);
        try {
            TestFs published = new TestFs(again, again.published());
            assertEquals("small " + (ROUNDS - 1), published.read("small.txt"), "reopened");
            again.flush();
            assertEquals("small " + (ROUNDS - 1), Files.readString(backing.resolve("small.txt")));
            assertEquals("file " + (ROUNDS - 1), Files.readString(backing.resolve("f" + (ROUNDS - 1))));
            assertFalse(Files.exists(backing.resolve("f" + (ROUNDS - 2))), "flush wrote the newest state only");
            assertEquals(Trees.ofDisk(backing), Trees.ofView(again, again.published()));
        } finally {
            again.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void publishesBeyondTheWindowStartACollection(String store) throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Engine e = open(store, true);
        try {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            for (int round = 0; round < ROUNDS; round++) {
                w.write("f" + round, "file " + round);
                if (round > 0) w.rm("f" + (round - 1));
                e.publish(w.view, false);
            }
            e.awaitGcThread(); // the collections the publishes scheduled have run
            long left = entryVersions(e, Engine.ROOT);
            // the last collection ran at most WINDOW / 2 publishes before the head
            assertTrue(left <= 2 * (WINDOW + WINDOW / 2) + 2, left + " entry versions of " + 2 * ROUNDS + " left");
            assertEquals(List.of("f" + (ROUNDS - 1)), new TestFs(e, e.published()).ls(""));
        } finally {
            e.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void versionsDerivedWorkStillReadsAreKept(String store) throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Engine e = open(store);
        try {
            long[] waiting = {Long.MAX_VALUE};
            e.setVersionHook(new VersionHook() {
                @Override
                public void published(long version) {
                    waiting[0] = Math.min(waiting[0], version);
                }

                @Override
                public DeltaIdRecord beforeFlush(long flushed, long head) {
                    return null;
                }

                @Override
                public long oldestNeeded() {
                    return waiting[0] - 1;
                }
            });
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            long first = 0;
            for (int round = 0; round < 3 * WINDOW; round++) {
                w.write("f.txt", "round " + round);
                long v = e.publish(w.view, false).version();
                if (round == 0) first = v;
            }
            e.collectGarbage();
            assertEquals(
                    "round 0",
                    new TestFs(e, e.versionView(first)).read("f.txt"),
                    "the first publish, still waited for, is whole");
            assertEquals("round 1", new TestFs(e, e.versionView(first + 1)).read("f.txt"));
        } finally {
            e.close();
        }
    }
}
