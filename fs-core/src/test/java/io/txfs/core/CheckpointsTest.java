package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.ObjectId;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreeIdOptions;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.store.Bytes;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.Checkpoint;
import io.txfs.core.tree.OwnLayerSpace;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints of a view's pending delta: a rollback gives back exactly the state checkpointed (same tree, same
 * delta, same pending bytes), copies no file data, frees what was written after, keeps the conflict keys of
 * what it keeps, and lives across a restart; publish and abort drop them.
 */
class CheckpointsTest {
    private static final int C = Engine.CHUNK;

    @TempDir
    Path tmp;

    private Path backing() throws IOException {
        Path b = Files.createDirectories(tmp.resolve("backing"));
        if (!Files.exists(b.resolve("big"))) {
            byte[] big = new byte[4 * C + 100];
            for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
            Files.write(b.resolve("big"), big);
            Files.writeString(b.resolve("keep"), "kept\n");
            Files.createDirectories(b.resolve("src"));
            Files.writeString(b.resolve("src/a.c"), "int a;\n");
        }
        return b;
    }

    private Engine open(String store) throws IOException {
        Path b = backing();
        if (store.equals("rocks")) return Engine.open(EngineConfig.rocks(b, tmp.resolve("state")));
        return Engine.open(EngineConfig.memory(b, new MemoryStore()));
    }

    private static ObjectId treeId(Engine e, View v) throws IOException {
        return new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1)).hash(new ViewTreeSource(e, v), TreePath.root());
    }

    private static long rows(Engine e, ColumnFamily cf) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(cf, new byte[0])) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }

    private static long chunkKeys(Engine e, long ino) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(ColumnFamily.CHUNK, Bytes.longs(ino))) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }

    private static byte[] filled(int n, int seed) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) seed);
        return x;
    }

    /** Changes of every kind made after the checkpoint, all of which the rollback must undo. */
    private static void changeEverything(TestFs w) {
        w.engine.write(w.view, w.ino("big"), 2L * C + 7, filled(10, 9)); // the chunk the checkpoint wrote
        w.engine.write(w.view, w.ino("big"), 3L * C, filled(C, 8)); // one it did not
        w.rm("keep");
        w.mv("new.txt", "moved.txt");
        w.mkdir("after");
        w.write("after/huge", filled(3 * C, 5));
        w.mkdir("after/dir");
        w.engine.setxattr(w.view, w.ino("src/a.c"), "user.x", new byte[] {1}, 0);
        w.write("src/a.c", "int b;\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void rollbackGivesBackTheCheckpointedTreeDeltaAndBytes(String store) throws Exception {
        try (Engine e = open(store)) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            e.write(w.view, w.ino("big"), 2L * C + 1, filled(5, 7));
            w.write("new.txt", "new\n");
            w.mkdir("d");
            w.write("d/inner", filled(2 * C, 3));
            TreeMap<String, String> at = Trees.ofView(e, w.view);
            ObjectId id = treeId(e, w.view);
            List<DeltaEntry> delta = e.pendingDelta(w.view);
            long bytes = w.view.pendingBytes;
            long chunksBefore = rows(e, ColumnFamily.CHUNK);

            Checkpoint cp = e.checkpoint(w.view, "one");
            assertEquals(delta.size(), cp.paths());
            assertEquals(bytes, cp.pendingBytes());
            assertEquals(chunksBefore, rows(e, ColumnFamily.CHUNK), "a checkpoint copies no file data");

            changeEverything(w);
            assertNotEquals(at, Trees.ofView(e, w.view));
            assertTrue(w.view.pendingBytes > bytes);

            ChangeSet cs = e.rollback(w.view, "one");
            assertTrue(cs.inodes().contains(w.ino("big")), "the kernel is told of what changed");
            assertEquals(at, Trees.ofView(e, w.view));
            assertEquals(id, treeId(e, w.view), "tree id equal to the checkpoint's");
            assertEquals(delta, e.pendingDelta(w.view));
            assertEquals(bytes, w.view.pendingBytes);
            assertEquals(chunksBefore, rows(e, ColumnFamily.CHUNK), "what was written after it is gone");
            long running = w.view.pendingBytes;
            OwnLayerSpace.recount(e.state, w.view);
            assertEquals(running, w.view.pendingBytes, "the count matches the layers' chunks");

            // the checkpoint stays: change again, roll back again
            changeEverything(w);
            e.rollback(w.view, "one");
            assertEquals(at, Trees.ofView(e, w.view));
            assertEquals(List.of("one"), names(e, w.view));
        }
    }

    @Test
    void aCheckpointReadsAsItWasWhileTheViewGoesOn() throws Exception {
        try (Engine e = open("memory")) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("f", filled(2 * C, 1));
            e.checkpoint(w.view, "before");
            long f = w.ino("f");
            long keys = chunkKeys(e, f);
            e.write(w.view, f, 10, filled(3, 2)); // into a chunk the checkpoint names: copied up first
            assertEquals(keys + 1, chunkKeys(e, f), "one chunk copied up into the new layer");
            View h = e.checkpointHandle(w.view, "before");
            assertArrayEquals(filled(2 * C, 1), e.read(h, f, 0, 2 * C));
            assertEquals(2, e.read(w.view, f, 10, 1)[0]);
            assertTrue(e.hasCheckpoint(w.view, h));
            e.rollback(w.view, "before");
            assertArrayEquals(filled(2 * C, 1), e.read(w.view, f, 0, 2 * C));
        }
    }

    @Test
    void checkpointsAreAStackWithUniqueNames() throws Exception {
        try (Engine e = open("memory")) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("a", "1");
            e.checkpoint(w.view, "a");
            w.write("b", "2");
            e.checkpoint(w.view, "b");
            w.write("c", "3");
            e.checkpoint(w.view, "c");
            assertEquals(
                    Errno.EEXIST,
                    assertThrows(FsException.class, () -> e.checkpoint(w.view, "b"))
                            .errno());
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(FsException.class, () -> e.checkpoint(w.view, "x/y"))
                            .errno());
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(FsException.class, () -> e.checkpoint(w.view, ""))
                            .errno());
            e.rollback(w.view, "b");
            assertEquals(List.of("a", "b"), names(e, w.view), "those taken after b are dropped");
            assertTrue(w.exists("b") && !w.exists("c"));
            assertEquals(
                    Errno.ENOENT,
                    assertThrows(FsException.class, () -> e.rollback(w.view, "c"))
                            .errno());
            e.rollback(w.view, "a");
            assertTrue(w.exists("a") && !w.exists("b"));
            assertEquals(List.of("a"), names(e, w.view));
            View published = e.published();
            assertEquals(
                    Errno.EROFS,
                    assertThrows(FsException.class, () -> e.checkpoint(published, "p"))
                            .errno());
        }
    }

    @Test
    void anEmptyDeltaCheckpointRollsBackToNothingPending() throws Exception {
        try (Engine e = open("memory")) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            e.checkpoint(w.view, "empty");
            w.write("x", filled(C + 1, 4));
            e.rollback(w.view, "empty");
            assertTrue(e.pendingDelta(w.view).isEmpty());
            assertEquals(0, w.view.pendingBytes);
            assertEquals(0, w.view.changes, "nothing to publish");
            assertEquals(0, rows(e, ColumnFamily.CHUNK));
        }
    }

    @Test
    void publishAndAbortDropEveryCheckpointAndItsRows() throws Exception {
        try (Engine e = open("memory")) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("one", filled(2 * C, 1));
            e.checkpoint(w.view, "cp1");
            w.write("two", filled(2 * C, 2));
            e.checkpoint(w.view, "cp2");
            w.write("three", "3");
            e.publish(w.view, false);
            assertTrue(e.checkpoints(w.view).isEmpty());
            assertEquals(0, rows(e, ColumnFamily.CHECKPOINT));
            assertEquals(0, rows(e, ColumnFamily.P_NODE), "no row of a checkpoint is left");
            assertEquals(
                    Errno.ENOENT,
                    assertThrows(FsException.class, () -> e.rollback(w.view, "cp1"))
                            .errno());
            TestFs pub = new TestFs(e, e.published());
            assertArrayEquals(filled(2 * C, 2), pub.readBytes("two"), "the publish is of the view as it was");
            assertEquals("3", pub.read("three"));

            long publishedChunks = rows(e, ColumnFamily.CHUNK);
            w.write("four", filled(3 * C, 4));
            e.checkpoint(w.view, "cp3");
            w.write("five", filled(3 * C, 5));
            e.abort(w.view);
            assertTrue(e.checkpoints(w.view).isEmpty());
            assertEquals(0, rows(e, ColumnFamily.CHECKPOINT));
            assertEquals(0, rows(e, ColumnFamily.P_NODE));
            assertEquals(publishedChunks, rows(e, ColumnFamily.CHUNK), "the checkpointed layer's chunks too");
        }
    }

    @Test
    void aRolledBackChangeIsNoConflictButAKeptOneStillIs() throws Exception {
        try (Engine e = open("memory")) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("keep", "w before\n");
            e.checkpoint(w.view, "cp");
            w.write("src/a.c", "w after\n");
            e.rollback(w.view, "cp");
            TestFs o = new TestFs(e, e.createView("o", Isolation.SNAPSHOT, 0));
            o.write("src/a.c", "other\n");
            e.publish(o.view, false);
            e.publish(w.view, false); // src/a.c was rolled back: not a change of w's any more
            assertEquals("other\n", new TestFs(e, e.published()).read("src/a.c"));

            w.write("src/a.c", "w again\n");
            e.checkpoint(w.view, "cp2");
            w.write("new", "n");
            e.rollback(w.view, "cp2");
            o.write("src/a.c", "other again\n");
            e.publish(o.view, false);
            assertThrows(PublishConflictException.class, () -> e.publish(w.view, false));
        }
    }

    @Test
    void checkpointsOutliveARestartAndACollection() throws Exception {
        Map<String, String> at;
        try (Engine e = open("rocks")) {
            TestFs w = new TestFs(e, e.createView("w", Isolation.SNAPSHOT, 0));
            w.write("gone-later", filled(2 * C + 3, 6));
            w.write("big2", filled(C, 1));
            e.checkpoint(w.view, "cp");
            at = Trees.ofView(e, w.view);
            long gone = w.ino("gone-later");
            w.rm("gone-later");
            e.forgotten(w.view, gone); // removed after the checkpoint: its chunks stay for the checkpoint
            e.collectGarbage();
        }
        try (Engine e = open("rocks")) {
            View w = e.view("w");
            assertEquals(List.of("cp"), names(e, w));
            assertFalse(Trees.ofView(e, w).containsKey("gone-later"));
            e.collectGarbage();
            e.rollback(w, "cp");
            assertEquals(at, Trees.ofView(e, w), "the file removed after the checkpoint is back, whole");
        }
        try (Stream<Path> files = Files.list(tmp.resolve("state/chunks"))) {
            assertTrue(files.count() > 0);
        }
    }

    private static List<String> names(Engine e, View v) {
        return e.checkpoints(v).stream().map(Checkpoint::name).toList();
    }
}
