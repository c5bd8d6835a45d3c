package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.model.RefreshConflictException;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.OwnLayerSpace;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Views begun inside views: a child starts on its parent's state, its changes stay its own until its publish
 * merges them into the parent (never into the published state), siblings conflict by first committer, a
 * directory both only added entries to merges, an abort or discard drops only the child's own changes, and
 * a parent with children refuses what would move the ground under them.
 */
class NestedViewsTest {
    private static final int C = Engine.CHUNK;

    @TempDir
    Path tmp;

    private Engine open(String store) throws IOException {
        Path b = Files.createDirectories(tmp.resolve("backing"));
        if (!Files.exists(b.resolve("src"))) {
            Files.createDirectories(b.resolve("src"));
            Files.createDirectories(b.resolve("out"));
            Files.writeString(b.resolve("src/a.c"), "int a;\n");
            Files.write(b.resolve("big"), filled(3 * C, 1));
        }
        if (store.equals("rocks")) return Engine.open(EngineConfig.rocks(b, tmp.resolve("state")));
        return Engine.open(EngineConfig.memory(b, new MemoryStore()));
    }

    private static byte[] filled(int n, int seed) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) seed);
        return x;
    }

    private static View child(Engine e, String name, View parent) {
        return e.createChildView(name, parent, 0, ViewOptions.DEFAULT);
    }

    private static List<String> paths(Engine e, View v) {
        return e.pendingDelta(v).stream().map(DeltaEntry::path).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void aChildSeesItsParentAndPublishesIntoItOnly(String store) throws Exception {
        try (Engine e = open(store)) {
            TestFs p = new TestFs(e, e.createView("parent", Isolation.SNAPSHOT, 0));
            p.write("out/gen.h", "#define X 1\n");
            e.write(p.view, p.ino("big"), C + 3, filled(4, 2));
            TestFs c = new TestFs(e, child(e, "child", p.view));
            assertEquals("#define X 1\n", c.read("out/gen.h"), "the child starts on its parent's state");
            assertEquals(2, c.readBytes("big")[C + 3]);

            c.write("out/a.o", filled(2 * C, 7));
            e.write(c.view, c.ino("big"), 5, filled(2, 9));
            p.write("out/parent-later", "p");
            assertFalse(p.exists("out/a.o"), "the child's changes are its own");
            assertFalse(c.exists("out/parent-later"), "and the parent's later ones are the parent's");
            assertEquals(List.of("big", "out/a.o"), paths(e, c.view), "a child's delta is against its base");
            assertEquals(1, p.readBytes("big")[5], "the parent's big is untouched");

            long head = e.headVersion();
            PublishResult r = e.publish(c.view, false);
            assertEquals(head, e.headVersion(), "no published version");
            assertEquals(2, r.changedPaths());
            assertTrue(r.visibleChanges().containsKey("parent"));
            assertArrayEquals(filled(2 * C, 7), p.readBytes("out/a.o"), "merged into the parent");
            assertEquals(9, p.readBytes("big")[5]);
            assertEquals(2, p.readBytes("big")[C + 3], "the parent's own write kept");
            assertEquals("p", p.read("out/parent-later"));
            assertFalse(new TestFs(e, e.published()).exists("out/a.o"), "nothing published");
            assertTrue(c.exists("out/parent-later"), "the child goes on from the parent's new state");
            assertTrue(e.pendingDelta(c.view).isEmpty());

            long running = p.view.pendingBytes;
            OwnLayerSpace.recount(e.state, p.view);
            assertEquals(running, p.view.pendingBytes, "the parent owns the child's chunks now");

            e.discard(c.view);
            e.publish(p.view, false);
            TestFs pub = new TestFs(e, e.published());
            assertArrayEquals(filled(2 * C, 7), pub.readBytes("out/a.o"));
            assertEquals(9, pub.readBytes("big")[5]);
        }
    }

    @Test
    void siblingsConflictByFirstCommitterAndShareADirectory() throws Exception {
        try (Engine e = open("memory")) {
            TestFs p = new TestFs(e, e.createView("parent", Isolation.SNAPSHOT, 0));
            TestFs a = new TestFs(e, child(e, "a", p.view));
            TestFs b = new TestFs(e, child(e, "b", p.view));
            a.write("out/a.o", "a");
            b.write("out/b.o", "b");
            e.checkpoint(b.view, "outputs");
            a.write("src/a.c", "int a2;\n");
            b.write("src/a.c", "int b2;\n");
            e.publish(a.view, false);
            PublishConflictException x = assertThrows(PublishConflictException.class, () -> e.publish(b.view, false));
            assertEquals(List.of("/src/a.c"), x.paths());
            assertFalse(p.exists("out/b.o"), "nothing of b merged");
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(FsException.class, () -> e.publish(b.view, true))
                            .errno());
            RefreshConflictException y = assertThrows(RefreshConflictException.class, () -> e.refresh(b.view));
            assertEquals(List.of("/src/a.c"), y.paths());

            // b drops its side of the conflict: its other change merges beside a's in the same directory
            e.rollback(b.view, "outputs");
            e.publish(b.view, false);
            assertEquals("a", p.read("out/a.o"));
            assertEquals("b", p.read("out/b.o"));
            assertEquals("int a2;\n", p.read("src/a.c"));
            assertEquals(List.of("out/a.o", "out/b.o", "src/a.c"), paths(e, p.view));
        }
    }

    @Test
    void refreshRebasesAChildOntoItsParent() throws Exception {
        try (Engine e = open("memory")) {
            TestFs p = new TestFs(e, e.createView("parent", Isolation.SNAPSHOT, 0));
            TestFs c = new TestFs(e, child(e, "child", p.view));
            c.write("mine", filled(C + 5, 3));
            p.write("theirs", "t");
            e.refresh(c.view);
            assertEquals("t", c.read("theirs"));
            assertArrayEquals(filled(C + 5, 3), c.readBytes("mine"));
            assertEquals(List.of("mine"), paths(e, c.view), "still only its own change");
            e.publish(c.view, false);
            assertArrayEquals(filled(C + 5, 3), p.readBytes("mine"));
        }
    }

    @Test
    void abortAndDiscardDropOnlyTheChildsOwnChangesAndAParentTakesItsChildrenAlong() throws Exception {
        try (Engine e = open("memory")) {
            TestFs p = new TestFs(e, e.createView("parent", Isolation.SNAPSHOT, 0));
            p.write("p.txt", filled(2 * C, 4));
            long chunks = rows(e, ColumnFamily.CHUNK);
            TestFs c = new TestFs(e, child(e, "child", p.view));
            c.write("c.txt", filled(2 * C, 5));
            e.write(c.view, c.ino("p.txt"), 0, filled(3, 6));
            p.write("later", "l");
            e.abort(c.view);
            assertTrue(e.pendingDelta(c.view).isEmpty());
            assertTrue(c.exists("later"), "on the parent's state now");
            assertArrayEquals(filled(2 * C, 4), c.readBytes("p.txt"));
            assertEquals(chunks + 1, rows(e, ColumnFamily.CHUNK), "only the child's chunks went (later: one)");

            TestFs g = new TestFs(e, child(e, "grandchild", c.view));
            g.write("g.txt", "g");
            assertEquals(
                    Errno.EBUSY,
                    assertThrows(FsException.class, () -> e.publish(p.view, false))
                            .errno());
            assertEquals(
                    Errno.EBUSY,
                    assertThrows(FsException.class, () -> e.refresh(p.view)).errno());
            e.checkpoint(p.view, "cp");
            assertEquals(
                    Errno.EBUSY,
                    assertThrows(FsException.class, () -> e.rollback(p.view, "cp"))
                            .errno());
            assertEquals(
                    Errno.EBUSY,
                    assertThrows(FsException.class, () -> e.publish(c.view, false))
                            .errno());

            e.discard(p.view);
            assertTrue(c.view.discarded && g.view.discarded, "children go with their parent");
            assertTrue(e.listViews().isEmpty());
            assertEquals(0, rows(e, ColumnFamily.P_NODE), "no row of the three, their bases or checkpoints");
            assertEquals(0, rows(e, ColumnFamily.CHUNK));
        }
    }

    @Test
    void eightDeepEachLevelPublishingIntoTheOneAbove() throws Exception {
        try (Engine e = open("memory")) {
            View top = e.createView("level0", Isolation.SNAPSHOT, 0);
            View[] levels = new View[9];
            levels[0] = top;
            for (int i = 1; i <= 8; i++) {
                levels[i] = child(e, "level" + i, levels[i - 1]);
                new TestFs(e, levels[i]).write("f" + i, "level " + i + "\n");
            }
            TestFs deepest = new TestFs(e, levels[8]);
            for (int i = 1; i <= 8; i++) assertEquals("level " + i + "\n", deepest.read("f" + i));
            for (int i = 8; i >= 1; i--) {
                e.publish(levels[i], false);
                e.discard(levels[i]); // a parent publishes once its children are done
            }
            TestFs t = new TestFs(e, top);
            for (int i = 1; i <= 8; i++) assertEquals("level " + i + "\n", t.read("f" + i));
            View tooDeep = top;
            for (int i = 1; i <= 32; i++) tooDeep = child(e, "deep" + i, tooDeep);
            View last = tooDeep;
            assertEquals(
                    Errno.EMLINK,
                    assertThrows(FsException.class, () -> child(e, "deep33", last))
                            .errno());
        }
    }

    @Test
    void childrenLiveAcrossARestart() throws Exception {
        Map<String, String> expected;
        try (Engine e = open("rocks")) {
            TestFs p = new TestFs(e, e.createView("parent", Isolation.SNAPSHOT, 0));
            p.write("p", filled(C + 1, 1));
            TestFs c = new TestFs(e, child(e, "child", p.view));
            c.write("c", filled(C + 1, 2));
            expected = new TreeMap<>(Trees.ofView(e, c.view));
        }
        try (Engine e = open("rocks")) {
            View c = e.view("child");
            View p = e.parentOf(c);
            assertEquals("parent", p.name());
            assertEquals(expected, Trees.ofView(e, c));
            assertEquals(List.of("c"), paths(e, c));
            e.collectGarbage();
            e.publish(c, false);
            assertArrayEquals(filled(C + 1, 2), new TestFs(e, p).readBytes("c"));
        }
    }

    private static long rows(Engine e, ColumnFamily cf) {
        long n = 0;
        try (KvIterator it = e.state.store.scan(cf, new byte[0])) {
            for (; it.valid(); it.next()) n++;
        }
        return n;
    }
}
