package io.txfs.core.inspect.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.Engine;
import io.txfs.core.PinnedViews;
import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.HashCache;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreeIdOptions;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.delta.DeltaText;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published versions as trees: subtree version tokens valid across publishes, delta ids of the log
 * (computed after publish, drained by flush, recomputed after a restart), diffs between versions.
 * Run on the MemoryStore and the RocksDB engine.
 */
abstract class VersionInspectionContract {
    /** Every version stays readable (the tests compare versions across flushes); GcTest covers the default rule. */
    static final GcPolicy KEEP_ALL = new GcPolicy(true, Long.MAX_VALUE);

    @TempDir
    Path tmp;

    Path backing;
    Engine engine;

    abstract Engine open(Path backing, Path state);

    /** Closes and opens the same store again; null when the store does not survive (memory). */
    abstract Engine reopen(Engine old, Path backing, Path state);

    @BeforeEach
    void setUp() throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.createDirectories(backing.resolve("a/b"));
        Files.writeString(backing.resolve("a/b/old.txt"), "one\ntwo\nthree\n");
        Files.writeString(backing.resolve("top.txt"), "top\n");
        engine = open(backing, tmp.resolve("state"));
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void write(View v, String path, String content) {
        int slash = path.lastIndexOf('/');
        long dir = slash < 0 ? Engine.ROOT : engine.resolve(v, path.substring(0, slash));
        long ino;
        try {
            ino = engine.resolve(v, path);
            engine.setattr(v, ino, AttributeChange.size(0));
        } catch (FsException absent) {
            ino = engine.create(v, dir, b(path.substring(slash + 1)), 0644, Caller.ROOT)
                    .ino();
        }
        engine.write(v, ino, 0, b(content));
    }

    long publish(String view, Consumer<View> change) {
        View v = engine.createView(view, Isolation.SNAPSHOT, 0);
        change.accept(v);
        long ver = engine.publish(v, false).version();
        engine.discard(v);
        return ver;
    }

    Delta delta(long from, long to) throws IOException {
        View a = engine.versionView(from);
        View b = engine.versionView(to);
        try {
            return new DeltaComputer(ObjectFormat.SHA1, false)
                    .compute(SnapshotTokenSources.version(engine, a), SnapshotTokenSources.version(engine, b));
        } finally {
            PinnedViews.release(engine, a);
            PinnedViews.release(engine, b);
        }
    }

    /** Counts the directories listed, to see what a hash with a warm cache reads again. */
    static final class CountingLists extends ForwardingTreeSource {
        final List<TreePath> listed = new ArrayList<>();

        CountingLists(TreeSource inner) {
            super(inner);
        }

        @Override
        public List<Name> list(TreePath dir) throws IOException {
            listed.add(dir);
            return super.list(dir);
        }
    }

    @Test
    void aHashAfterAPublishReadsOnlyTheChangedFilesAncestors() throws Exception {
        publish("setup", v -> {
            for (int d = 0; d < 4; d++) {
                long dir = engine.mkdir(v, Engine.ROOT, b("d" + d), 0755, Caller.ROOT)
                        .ino();
                engine.mkdir(v, dir, b("sub"), 0755, Caller.ROOT);
                write(v, "d" + d + "/sub/f", "x" + d);
            }
        });
        HashCache cache = new HashCache(10_000);
        TreeIdOptions git = TreeIdOptions.git(ObjectFormat.SHA1);
        new TreeHasher(git, cache).hash(SnapshotTokenSources.published(engine), TreePath.root());
        publish("change", v -> write(v, "d2/sub/f", "changed"));
        CountingLists counted = new CountingLists(SnapshotTokenSources.published(engine));
        assertEquals(
                new TreeHasher(git).hash(new ViewTreeSource(engine, engine.published()), TreePath.root()),
                new TreeHasher(git, cache).hash(counted, TreePath.root()));
        assertEquals(
                List.of(TreePath.root(), TreePath.of("d2"), TreePath.of("d2/sub")),
                counted.listed,
                "after a publish that changed one file only its ancestors are listed again");
    }

    @Test
    void equalSubtreeTokensAlwaysMeanEqualSubtrees() throws Exception {
        List<Long> versions = new ArrayList<>();
        versions.add(engine.headVersion());
        versions.add(publish("p1", v -> write(v, "a/b/new.txt", "new")));
        versions.add(publish("p2", v -> engine.rename(v, Engine.ROOT, b("a"), Engine.ROOT, b("moved"), 0)));
        versions.add(publish(
                "p3", v -> engine.link(v, engine.resolve(v, "top.txt"), engine.resolve(v, "moved/b"), b("hard"))));
        versions.add(
                publish("p4", v -> engine.setattr(v, engine.resolve(v, "moved/b/hard"), AttributeChange.perm(0600))));
        versions.add(publish("p5", v -> engine.mkdir(v, Engine.ROOT, b("empty"), 0700, Caller.ROOT)));
        versions.add(engine.flush().flushedVersion());
        versions.add(publish("p6", v -> engine.unlink(v, Engine.ROOT, b("top.txt"))));
        TreeIdOptions ext = TreeIdOptions.extended(ObjectFormat.SHA1, true);
        int compared = 0;
        for (long x : versions) {
            for (long y : versions) {
                TreeSource sx = SnapshotTokenSources.version(engine, x);
                TreeSource sy = SnapshotTokenSources.version(engine, y);
                for (String p : List.of("", "moved", "moved/b", "a", "a/b", "top.txt", "moved/b/hard", "empty")) {
                    TreePath tp = TreePath.of(p);
                    Optional<Object> tx;
                    Optional<Object> ty;
                    try {
                        tx = sx.version(tp);
                        ty = sy.version(tp);
                    } catch (NoSuchFileException absent) {
                        continue;
                    }
                    if (tx.equals(ty)) {
                        compared++;
                        assertEquals(
                                new TreeHasher(ext).hash(sx, tp),
                                new TreeHasher(ext).hash(sy, tp),
                                p + " in versions " + x + " and " + y);
                    }
                }
            }
        }
        assertTrue(compared > versions.size() * 3, "tokens were equal across versions " + compared + " times");
        assertNotEquals(
                SnapshotTokenSources.version(engine, 0).version(TreePath.root()),
                SnapshotTokenSources.version(engine, engine.headVersion()).version(TreePath.root()));
    }

    @Test
    void theSameChangeFromTheSameStateHasTheSameDeltaId() throws Exception {
        DeltaIdLog ids = DeltaIdLog.start(engine);
        try {
            long add1 = publish("add1", v -> write(v, "a/b/x.txt", "same"));
            long del = publish("del", v -> engine.unlink(v, engine.resolve(v, "a/b"), b("x.txt")));
            long add2 = publish("add2", v -> write(v, "a/b/x.txt", "same"));
            assertTrue(ids.awaitIdle(60_000));
            DeltaIdRecord r1 = engine.deltaId(add1);
            DeltaIdRecord r2 = engine.deltaId(add2);
            assertTrue(r1.available(), String.valueOf(r1));
            assertEquals(r1.id(), r2.id());
            assertEquals(delta(add1 - 1, add1).id().hex(), r1.id());
            assertEquals(1, r1.entries());
            assertNotEquals(r1.id(), engine.deltaId(del).id());
            assertEquals(add2 - 1, r2.from());
        } finally {
            ids.close();
        }
    }

    @Test
    void aFlushComputesTheIdsItWouldDestroyAndItsOwn() throws Exception {
        DeltaIdLog held = DeltaIdLog.start(engine, true);
        try {
            long p = publish("p", v -> write(v, "a/b/old.txt", "one\nTWO\nthree\n"));
            String expected = delta(p - 1, p).id().hex();
            String flushDelta = delta(engine.flushedVersion(), p).id().hex();
            assertNull(engine.deltaId(p), "held: nothing computed in the background");
            long f = engine.flush().flushedVersion();
            assertEquals(
                    expected, engine.deltaId(p).id(), "the flush computed the publish's id before patching the file");
            DeltaIdRecord fr = engine.deltaId(f);
            assertEquals(flushDelta, fr.id());
            assertEquals(0, fr.from());
            // version 0's copy of old.txt was patched in place and no view needed it: unreadable now
            IOException gone = assertThrows(IOException.class, () -> delta(0, p));
            assertTrue(
                    gone.getMessage().contains("old.txt")
                            || String.valueOf(gone.getCause()).contains("changed"),
                    gone.toString());
        } finally {
            held.close();
        }
    }

    @Test
    void anIdNotComputedBeforeARestartIsComputedAfterIt() throws Exception {
        DeltaIdLog held = DeltaIdLog.start(engine, true);
        long p = publish("p", v -> write(v, "new.txt", "content\n"));
        String expected = delta(p - 1, p).id().hex();
        held.close();
        engine = reopen(engine, backing, tmp.resolve("state"));
        if (engine == null) {
            return; // the memory store does not survive a restart
        }
        assertNull(engine.deltaId(p));
        DeltaIdLog ids = DeltaIdLog.start(engine);
        try {
            assertTrue(ids.awaitIdle(60_000));
            assertEquals(expected, engine.deltaId(p).id());
        } finally {
            ids.close();
        }
    }

    @Test
    void versionDiffsAsTextAndTheirIds() throws Exception {
        long p1 = publish("p1", v -> {
            write(v, "a/b/old.txt", "one\n2\nthree\n");
            write(v, "added.txt", "hello\n");
        });
        long p2 = publish("p2", v -> engine.unlink(v, Engine.ROOT, b("top.txt")));
        Delta d = delta(0, p2);
        assertEquals(
                List.of("a/b/old.txt modified", "added.txt added", "top.txt deleted"),
                d.entries().stream()
                        .map(e -> e.path() + " " + e.change().jsonName())
                        .toList());
        String text =
                DeltaText.unified(d, SnapshotTokenSources.version(engine, 0), SnapshotTokenSources.version(engine, p2));
        assertEquals("""
                diff --txfs a/a/b/old.txt b/a/b/old.txt
                --- a/a/b/old.txt
                +++ b/a/b/old.txt
                @@ -1,3 +1,3 @@
                 one
                -two
                +2
                 three
                diff --txfs a/added.txt b/added.txt
                new file mode 100644
                --- /dev/null
                +++ b/added.txt
                @@ -0,0 +1 @@
                +hello
                diff --txfs a/top.txt b/top.txt
                deleted file mode 100644
                --- a/top.txt
                +++ /dev/null
                @@ -1 +0,0 @@
                -top
                """, text);
        assertTrue(delta(p1, p1).isEmpty());
        assertNotNull(delta(p1, p2).id());
    }
}
