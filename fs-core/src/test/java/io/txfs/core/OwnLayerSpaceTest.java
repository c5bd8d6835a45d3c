package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.GcReport;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.Batch;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.OwnLayerSpace;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A view's pendingBytes is what its own layer stores (overwrites cost nothing more, truncates and
 * removed files give bytes back), and a removed file's bytes leave the store once nothing refers to it.
 */
class OwnLayerSpaceTest {
    private static final int C = Engine.CHUNK;
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    private Engine open(String store) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        if (store.equals("rocks")) return Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
        return Engine.open(EngineConfig.memory(backing, new MemoryStore()));
    }

    private static byte[] filled(int n, int seed) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) seed);
        return x;
    }

    /** Chunk keys of node ino in any layer. */
    private static long chunks(Engine e, long ino) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(ColumnFamily.CHUNK, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }

    /** pendingBytes as counted from the store (OwnLayerSpace.recount) must equal the running count. */
    private static void assertCountMatchesStore(Engine e, View v) {
        long running = v.pendingBytes;
        OwnLayerSpace.recount(e.state, v);
        assertEquals(running, v.pendingBytes, "running count vs the layer's chunks");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void overwritesTruncatesAndRemovedFilesKeepPendingBytesAtWhatTheLayerStores(String store) throws Exception {
        try (Engine e = open(store)) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            for (int i = 0; i < 4; i++) w.write("f" + i, filled(MIB, i));
            assertEquals(4L * MIB, w.view.pendingBytes);
            // the same file rewritten ten times, in 4 KiB pieces: still 1 MiB stored (was counted 11 MiB)
            long f0 = w.ino("f0");
            for (int round = 0; round < 10; round++) {
                for (int off = 0; off < MIB; off += 4096) e.write(w.view, f0, off, filled(4096, round));
            }
            assertEquals(4L * MIB, w.view.pendingBytes);
            assertCountMatchesStore(e, w.view);
            // a cut in the middle of a chunk keeps the chunk's first part
            e.setattr(w.view, w.ino("f1"), AttributeChange.size(C + 100));
            assertEquals(3L * MIB + C + 100, w.view.pendingBytes);
            e.setattr(w.view, w.ino("f1"), AttributeChange.size(0));
            assertEquals(3L * MIB, w.view.pendingBytes);
            assertCountMatchesStore(e, w.view);
            // removed: the bytes stay while the file may still be open, go when the mount forgets it
            long f2 = w.ino("f2");
            w.rm("f2");
            assertEquals(3L * MIB, w.view.pendingBytes);
            assertArrayEquals(
                    filled(MIB, 2), e.read(w.view, f2, 0, MIB), "an open descriptor still reads a removed file");
            assertEquals(MIB, e.forgotten(w.view, f2));
            assertEquals(2L * MIB, w.view.pendingBytes);
            assertEquals(0, chunks(e, f2));
            assertEquals(0, e.forgotten(w.view, w.ino("f3")), "a file with a name keeps its bytes");
            // replaced by a rename: the old file is removed the same way
            w.write("g", filled(MIB / 2, 9));
            long f3 = w.ino("f3");
            w.mv("g", "f3");
            assertEquals(MIB, e.forgotten(w.view, f3));
            assertEquals(MIB + MIB / 2, w.view.pendingBytes);
            assertCountMatchesStore(e, w.view);
            assertArrayEquals(filled(MIB / 2, 9), w.readBytes("f3"));
            assertArrayEquals(filled(MIB, 9), w.readBytes("f0"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void removingEverythingAViewWroteLeavesItHoldingNothingAndThePublishEmpty(String store) throws Exception {
        try (Engine e = open(store)) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.mkdir("d");
            long[] inos = new long[20];
            for (int i = 0; i < inos.length; i++) {
                w.write("d/f" + i, filled(3 * C + 7, i));
                inos[i] = w.ino("d/f" + i);
            }
            for (int i = 0; i < inos.length; i++) w.rm("d/f" + i);
            for (long ino : inos) e.forgotten(w.view, ino);
            assertEquals(0, w.view.pendingBytes);
            for (long ino : inos) assertEquals(0, chunks(e, ino));
            e.publish(w.view, false);
            TestFs other = new TestFs(e, e.createView("o", Isolation.SNAPSHOT, 0));
            assertTrue(other.ls("d").isEmpty());
        }
    }

    @Test
    void aCountWrittenByAnOlderTxfsIsCorrectedAtOpen() throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("backing"));
        MemoryStore memory = new MemoryStore();
        try (Engine e = Engine.open(EngineConfig.memory(backing, memory))) {
            View w = e.createView("w", Isolation.SNAPSHOT, 0);
            new TestFs(e, w).write("f", filled(MIB, 1));
            // as an older txfs left it: every byte ever written counted
            w.pendingBytes = 9_200_000_000L;
            Batch b = new Batch();
            b.put(ColumnFamily.VIEWS, "w".getBytes(StandardCharsets.UTF_8), w.encode());
            e.state.store.write(b, false);
        }
        try (Engine e = Engine.open(EngineConfig.memory(backing, memory.reopened()))) {
            View w = e.view("w");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (w.pendingBytes != MIB && System.nanoTime() < deadline)
                Thread.sleep(5); // polled: the gc thread counts
            assertEquals(MIB, w.pendingBytes, "counted again from the layer's chunks at open");
        }
    }

    @Test
    void gcGivesRemovedFilesDiskSpaceBackAndReportsTheStateDirectory() throws Exception {
        Path chunksDir;
        try (Engine e = open("rocks")) {
            chunksDir = tmp.resolve("state/chunks");
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            for (int i = 0; i < 8; i++) w.write("f" + i, filled(4 * MIB, i));
            long written = e.stateBytes();
            assertTrue(written >= 32L * MIB, "state holds what was written: " + written);
            for (int i = 0; i < 8; i++) {
                long ino = w.ino("f" + i);
                w.rm("f" + i);
                e.forgotten(w.view, ino);
            }
            try (Stream<Path> files = Files.list(chunksDir)) {
                assertEquals(0, files.count(), "no chunk data file is left");
            }
            GcReport r = e.gc();
            assertTrue(r.bytesAfter() < 8L * MIB, "after gc: " + r);
            assertEquals(0, w.view.pendingBytes);
        }
    }
}
