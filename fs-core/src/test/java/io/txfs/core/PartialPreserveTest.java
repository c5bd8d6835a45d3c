package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.FaultInjector;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A flush that patches a file in place preserves, for snapshots of the old content, only the chunks it
 * overwrites (PreservedMarker): the rest is read through the successors down to the file on disk, after
 * several flushes, a restart, a flush completed by recovery, and garbage collection.
 */
class PartialPreserveTest {
    private static final int C = Engine.CHUNK;

    @TempDir
    Path tmp;

    private Path backing;
    private MemoryStore memory;
    private String kind;
    private Engine e;
    private FaultInjector faults = FaultInjector.NONE;

    private Engine open() {
        if (kind.equals("rocks"))
            return Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")).withFaults(p -> faults.reached(p)));
        memory = memory == null ? new MemoryStore() : memory.reopened();
        return Engine.open(EngineConfig.memory(backing, memory).withFaults(p -> faults.reached(p)));
    }

    @AfterEach
    void close() {
        if (e != null) e.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A backing directory holding big.bin of size random bytes, and an engine over it; returns the bytes. */
    private byte[] start(String store, int size, long seed) throws Exception {
        kind = store;
        backing = Files.createDirectories(tmp.resolve("backing"));
        byte[] content = random(size, seed);
        Files.write(backing.resolve("big.bin"), content);
        e = open();
        return content;
    }

    /** The chunk bytes held in preserved copies (markers not counted). */
    static long preservedBytes(Engine e) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(ColumnFamily.PRESERVED, new byte[0])) {
            for (; it.valid(); it.next()) {
                if (Bytes.getLong(it.key(), it.key().length - 8) != -1) n += it.value().length - 1;
            }
        }
        return n;
    }

    private static byte[] patched(byte[] was, long off, byte[] data) {
        byte[] now = Arrays.copyOf(was, (int) Math.max(was.length, off + data.length));
        System.arraycopy(data, 0, now, (int) off, data.length);
        return now;
    }

    private void assertSnapshots(List<TestFs> views, List<byte[]> want, String when) {
        for (int i = 0; i < views.size(); i++) {
            assertArrayEquals(want.get(i), views.get(i).readBytes("big.bin"), "snapshot " + i + " " + when);
        }
    }

    /** Views by name again after a restart (their View objects are new). */
    private List<TestFs> reload(int n) {
        List<TestFs> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new TestFs(e, e.view("s" + i)));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void snapshotsReadTheirContentAfterThreeOverlappingPatches(String store) throws Exception {
        byte[] content = start(store, 40 * C + 123, 1);
        TestFs w = new TestFs(e, e.createView("w", Isolation.READ_COMMITTED, 0));
        List<TestFs> snaps = new ArrayList<>();
        List<byte[]> want = new ArrayList<>();
        snaps.add(new TestFs(e, e.createView("s0", Isolation.SNAPSHOT, 0)));
        want.add(content);

        // 1: one byte in chunk 3
        content = patched(content, 3L * C + 17, new byte[] {42});
        e.write(w.view, w.ino("big.bin"), 3L * C + 17, new byte[] {42});
        e.publish(w.view, false);
        e.flush();
        assertSnapshots(snaps, want, "after flush 1");
        assertEquals(C, preservedBytes(e), "one chunk preserved, not the file");
        snaps.add(new TestFs(e, e.createView("s1", Isolation.SNAPSHOT, 0)));
        want.add(content);

        // 2: chunk 3 again (overlapping), and a write across chunks 10 and 11, unaligned
        byte[] across = random(C, 2);
        content = patched(content, 3L * C, new byte[] {7, 7, 7});
        content = patched(content, 10L * C + 100, across);
        e.write(w.view, w.ino("big.bin"), 3L * C, new byte[] {7, 7, 7});
        e.write(w.view, w.ino("big.bin"), 10L * C + 100, across);
        e.publish(w.view, false);
        e.flush();
        assertSnapshots(snaps, want, "after flush 2");
        snaps.add(new TestFs(e, e.createView("s2", Isolation.SNAPSHOT, 0)));
        want.add(content);

        // 3: truncate into chunk 25, then write past the old end (a hole between)
        long cut = 25L * C + 7;
        content = Arrays.copyOf(content, (int) cut);
        e.setattr(w.view, w.ino("big.bin"), AttributeChange.size(cut));
        byte[] tail = random(100, 3);
        content = patched(content, 45L * C, tail);
        e.write(w.view, w.ino("big.bin"), 45L * C, tail);
        e.publish(w.view, false);
        e.flush();
        assertSnapshots(snaps, want, "after flush 3");
        assertArrayEquals(content, Files.readAllBytes(backing.resolve("big.bin")));
        // flush 1: chunk 3; flush 2: chunks 3, 10, 11; flush 3: chunks 25..40 (cut), a whole file is 41
        assertTrue(preservedBytes(e) <= 20L * C, "preserved " + preservedBytes(e));
        // reads at an offset inside a preserved chunk, not at its start
        byte[] mid = e.read(snaps.get(0).view, snaps.get(0).ino("big.bin"), 3L * C + 10, 300);
        assertArrayEquals(Arrays.copyOfRange(want.get(0), 3 * C + 10, 3 * C + 310), mid);

        e.close();
        e = open();
        snaps = reload(3);
        w = new TestFs(e, e.view("w"));
        assertSnapshots(snaps, want, "after a restart");

        e.collectGarbage();
        assertSnapshots(snaps, want, "after garbage collection");

        // the oldest goes first: its copies go, those the younger ones read through stay
        long before = preservedBytes(e);
        e.discard(snaps.get(0).view);
        e.collectGarbage();
        assertTrue(
                preservedBytes(e) < before,
                "the oldest snapshot's own chunks went: " + before + " -> " + preservedBytes(e));
        assertSnapshots(snaps.subList(1, 3), want.subList(1, 3), "after the oldest snapshot was discarded");
        e.discard(snaps.get(2).view);
        e.collectGarbage();
        assertSnapshots(snaps.subList(1, 2), want.subList(1, 2), "with only the middle snapshot left");
        e.discard(snaps.get(1).view);
        e.collectGarbage();
        assertEquals(0, preservedBytes(e), "nothing preserved once no snapshot reads old content");
        assertEquals(0, countKeys(e), "no marker either");
        assertArrayEquals(content, w.readBytes("big.bin"));
    }

    private static long countKeys(Engine e) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(ColumnFamily.PRESERVED, new byte[0])) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void aOneBytePatchOfAMultiMegabyteFilePreservesOneChunk(String store) throws Exception {
        byte[] content = start(store, 8 << 20, 4);
        TestFs w = new TestFs(e, e.createView("w", Isolation.READ_COMMITTED, 0));
        List<TestFs> snaps = new ArrayList<>();
        for (int i = 0; i < 3; i++) snaps.add(new TestFs(e, e.createView("s" + i, Isolation.SNAPSHOT, 0)));
        e.write(w.view, w.ino("big.bin"), 5_000_000, new byte[] {1});
        e.publish(w.view, false);
        e.flush();
        assertEquals(C, preservedBytes(e), "the chunk the flush overwrote, once for all three snapshots");
        assertSnapshots(snaps, List.of(content, content, content), "after the flush");
    }

    @ParameterizedTest
    @ValueSource(strings = {FaultPoint.FLUSH_APPLY_STEP, FaultPoint.FLUSH_BEFORE_COMPLETION})
    void aFlushCompletedByRecoveryLinksItsPartialCopy(String point) throws Exception {
        byte[] content = start("memory", 20 * C, 5);
        TestFs w = new TestFs(e, e.createView("w", Isolation.READ_COMMITTED, 0));
        e.createView("s0", Isolation.SNAPSHOT, 0);
        e.write(w.view, w.ino("big.bin"), 7L * C, new byte[] {9, 9});
        e.publish(w.view, false);
        faults = p -> {
            if (p.equals(point)) throw new IllegalStateException("crash at " + p);
        };
        assertThrows(FsException.class, e::flush);
        faults = FaultInjector.NONE;
        e.close(); // as a crash leaves it: the plan committed, the completion batch missing
        e = open(); // recovery runs the plan again and completes it
        assertArrayEquals(content, new TestFs(e, e.view("s0")).readBytes("big.bin"), "the snapshot after recovery");
        assertArrayEquals(patched(content, 7L * C, new byte[] {9, 9}), Files.readAllBytes(backing.resolve("big.bin")));
        assertEquals(C, preservedBytes(e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void pinnedBytesAreWhatOnlyThatSnapshotKeeps(String store) throws Exception {
        start(store, 16 * C, 6);
        TestFs w = new TestFs(e, e.createView("w", Isolation.READ_COMMITTED, 0));
        for (int i = 0; i < 3; i++) e.createView("s" + i, Isolation.SNAPSHOT, 0);
        assertEquals(0L, e.pinnedBytes().get("s0"), "nothing is pinned before anything changed");
        e.write(w.view, w.ino("big.bin"), 5L * C + 1, new byte[] {1});
        e.publish(w.view, false);
        e.flush();
        var pinned = e.pinnedBytes();
        for (int i = 0; i < 3; i++) {
            long p = pinned.get("s" + i);
            assertTrue(p >= C && p < C + 4096, "s" + i + ": the chunk and a few old records: " + p);
        }
        assertEquals(0L, pinned.get("w"), "a read-committed view reads the head");
        e.createView("s3", Isolation.SNAPSHOT, 0);
        assertEquals(0L, e.pinnedBytes().get("s3"), "the flushed version is kept anyway");

        e.write(w.view, w.ino("big.bin"), 9L * C, new byte[] {2});
        e.publish(w.view, false);
        e.flush();
        pinned = e.pinnedBytes();
        // s0 alone reads chunk 5's old bytes; chunk 9's old bytes are read by s0..s3 alike: nobody's alone
        assertTrue(pinned.get("s0") >= C && pinned.get("s0") < C + 4096, "s0: " + pinned.get("s0"));
        assertTrue(pinned.get("s3") < 4096, "s3 shares the chunk it reads with s0: " + pinned.get("s3"));
        assertEquals(2L * C, preservedBytes(e));
    }
}
