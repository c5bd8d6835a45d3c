package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.FsException;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.GcResult;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Garbage collection deletes what nothing reads any more, and nothing a snapshot or pin still reads. */
class GcTest {
    private static final int C = Engine.CHUNK;

    @TempDir
    Path tmp;

    private Path backing;
    private MemoryStore memory;

    private Engine open(String store, GcPolicy gc) {
        if (store.equals("rocks"))
            return Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")).withGc(gc));
        memory = memory == null ? new MemoryStore() : memory.reopened();
        return Engine.open(EngineConfig.memory(backing, memory).withGc(gc));
    }

    private static byte[] filled(int n, char c) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) c);
        return x;
    }

    private static long count(Engine e, ColumnFamily cf, byte[] prefix) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(cf, prefix)) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }

    private static long count(Engine e, ColumnFamily cf) {
        return count(e, cf, new byte[0]);
    }

    /** A read-only handle on published version v, as a snapshot view at v reads it. */
    private static TestFs at(Engine e, long v) {
        return new TestFs(e, View.publishedAt(Engine.PUBLISHED_VIEW, Isolation.SNAPSHOT, 0, 0, v));
    }

    private void prepare() throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.write(backing.resolve("big.bin"), filled(3 * C + 5, 'o'));
        Files.writeString(backing.resolve("small.txt"), "small");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void oldSnapshotKeepsItsContentUntilDiscardedThenEverythingStaleGoes(String store) throws Exception {
        prepare();
        Engine e = open(store, GcPolicy.DEFAULT);
        try {
            TestFs old = new TestFs(e, e.createView("old", Isolation.SNAPSHOT, 0));
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            byte[] original = old.readBytes("big.bin");
            for (int round = 0; round < 4; round++) {
                e.write(w.view, w.ino("big.bin"), C + round, b("round" + round));
                w.write("new.txt", filled(2 * C, (char) ('a' + round)));
                w.write("gone" + round, filled(C + 1, 'g')); // made and removed before publishing
                w.rm("gone" + round);
                e.publish(w.view, false);
                e.flush(); // collects automatically
            }
            // the flushes' collections run on the gc thread: let them finish, or the last one may run after
            // the discard below and take what the explicit collection there must find
            e.awaitGcThread();
            assertArrayEquals(original, old.readBytes("big.bin"), "the old snapshot still reads the old base");
            assertEquals(false, old.exists("new.txt"));
            assertTrue(count(e, ColumnFamily.PRESERVED) > 0, "the old snapshot's base is preserved");
            GcResult again = e.collectGarbage();
            assertArrayEquals(original, old.readBytes("big.bin"), "after another collection too");

            e.discard(old.view);
            GcResult g = e.collectGarbage();
            assertTrue(g.nodeVersions() > 0 && g.preservedCopies() > 0, g + " / " + again);
            assertEquals(0, count(e, ColumnFamily.PRESERVED), "no preserved copy is needed any more");
            assertEquals(0, count(e, ColumnFamily.CHUNK), "every published byte is in the backing directory now");
            long big = w.ino("big.bin");
            assertEquals(1, count(e, ColumnFamily.NODE, Bytes.longs(big)), "one record version left for big.bin");
            byte[] want = filled(3 * C + 5, 'o');
            for (int round = 0; round < 4; round++) System.arraycopy(b("round" + round), 0, want, C + round, 6);
            assertArrayEquals(want, w.readBytes("big.bin"));
            assertArrayEquals(want, Files.readAllBytes(backing.resolve("big.bin")));
            assertArrayEquals(filled(2 * C, 'd'), new TestFs(e, e.published()).readBytes("new.txt"));
            assertEquals("small", w.read("small.txt"));
        } finally {
            e.close();
        }
        e = open(store, GcPolicy.DEFAULT);
        try {
            assertEquals(Trees.ofDisk(backing), Trees.ofView(e, e.published()), "reopens and reads the same");
        } finally {
            e.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void keepVersionsKeepsTheNewestPublishesReadable(String store) throws Exception {
        prepare();
        Engine e = open(store, new GcPolicy(true, 5));
        try {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            long[] publishedAt = new long[6];
            for (int round = 0; round < 6; round++) {
                w.write("f.txt", "content " + round + " " + new String(filled(C, 'x'), StandardCharsets.UTF_8));
                publishedAt[round] = e.publish(w.view, false).version();
                e.flush();
            }
            long head = e.headVersion();
            long retainFrom = head - 4;
            e.collectGarbage();
            for (int round = 0; round < 6; round++) {
                if (publishedAt[round] >= retainFrom) {
                    String got = at(e, publishedAt[round]).read("f.txt");
                    assertTrue(got.startsWith("content " + round + " "), "version " + publishedAt[round] + " readable");
                }
            }
            long f = w.ino("f.txt");
            long versions = count(e, ColumnFamily.NODE, Bytes.longs(f));
            assertTrue(versions <= 6, versions + " record versions: older ones collected");
            assertTrue(versions >= 5, versions + " record versions: the kept ones stay");
            assertTrue(count(e, ColumnFamily.CHANGE) > 0, "changes between kept versions stay");
        } finally {
            e.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void pinnedHandleAndDeletedFiles(String store) throws Exception {
        prepare();
        Engine e = open(store, GcPolicy.DEFAULT);
        try {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("doomed", filled(2 * C, 'd'));
            e.publish(w.view, false);
            e.flush();
            long doomed = w.ino("doomed");
            TestFs rc = new TestFs(e, e.createView("rc", Isolation.READ_COMMITTED, 0));
            View pin = PinnedViews.pin(e, rc.view);
            TestFs pinned = new TestFs(e, pin);
            byte[] small = pinned.readBytes("small.txt");
            w.rm("doomed");
            w.write("small.txt", "changed");
            e.publish(w.view, false);
            e.flush();
            e.collectGarbage();
            assertArrayEquals(small, pinned.readBytes("small.txt"), "a pinned handle keeps its version");
            assertArrayEquals(filled(2 * C, 'd'), pinned.readBytes("doomed"));
            assertEquals("changed", rc.read("small.txt"));
            assertEquals(false, rc.exists("doomed"));

            e.collectGarbage();
            assertEquals(2, count(e, ColumnFamily.NODE, Bytes.longs(doomed)), "the pin still holds the removed file");
            PinnedViews.release(e, pin);
            e.collectGarbage();
            assertEquals(0, count(e, ColumnFamily.NODE, Bytes.longs(doomed)), "a removed file nobody reads goes whole");
            assertEquals(0, count(e, ColumnFamily.CHUNK, Bytes.longs(doomed)));
            assertEquals("changed", new TestFs(e, e.published()).read("small.txt"));
        } finally {
            e.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void versionHandlesAreRefusedBelowWhatCollectionKeepsAndPinWhatTheyRead(String store) throws Exception {
        prepare();
        Engine e = open(store, GcPolicy.DEFAULT);
        try {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("f.txt", b("one"));
            long v1 = e.publish(w.view, false).version();
            w.write("f.txt", b("two"));
            long v2 = e.publish(w.view, false).version();
            View held = e.versionView(v1); // handed out before the flush: pinned
            e.flush();
            e.collectGarbage();
            FsException refused = Assertions.assertThrows(FsException.class, () -> e.versionView(v2));
            assertEquals(Errno.ENOENT, refused.errno());
            assertTrue(refused.getMessage().contains("no longer kept"), refused.getMessage());
            assertArrayEquals(
                    b("one"),
                    new TestFs(e, held).readBytes("f.txt"),
                    "a pinned version handle keeps reading its version");
            assertArrayEquals(b("two"), new TestFs(e, e.versionView(e.headVersion())).readBytes("f.txt"));
        } finally {
            e.close();
        }
    }
}
