package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.format.DeltaIdRecord;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.RescanResult;
import io.txfs.core.tree.VersionHook;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes made to a real backing directory behind the engine's back (docs/outside-changes.md): taken
 * in as a published version, never read mixed with a view's chunks, never EIO.
 */
class OutsideChangesTest {
    @TempDir
    Path tmp;

    Path backing;
    Engine engine;

    @BeforeEach
    void setUp() throws IOException {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.writeString(backing.resolve("hello.txt"), "hello world");
        Files.createDirectories(backing.resolve("dir/sub"));
        Files.writeString(backing.resolve("dir/a.txt"), "A");
        Files.writeString(backing.resolve("dir/sub/deep.txt"), "deep");
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private TestFs view(String name, Isolation isolation) {
        return new TestFs(engine, engine.createView(name, isolation, 0));
    }

    private static void assertErrno(Errno want, Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(want, e.errno(), e.getMessage());
    }

    @Test
    void contentChangedOutsideAfterAReadIsReadNewByAReadCommittedView() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        long ino = rc.ino("hello.txt");
        assertEquals("hello world", new String(engine.read(rc.view, ino, 0, 100), StandardCharsets.UTF_8));
        long head = engine.headVersion();
        Files.writeString(backing.resolve("hello.txt"), "changed behind txfs's back");
        // no lookup or open in between: the base read itself finds the change
        assertEquals(
                "changed behind txfs's back", new String(engine.read(rc.view, ino, 0, 100), StandardCharsets.UTF_8));
        assertEquals(head + 1, engine.headVersion(), "taken in as one published version");
        assertEquals(engine.headVersion(), engine.flushedVersion(), "with nothing waiting, BACKING holds that version");
        assertEquals("outside", engine.logEntry(engine.headVersion()).kind());
        assertEquals("changed behind txfs's back", new TestFs(engine, engine.published()).read("hello.txt"));
        assertEquals(ino, rc.ino("hello.txt"), "the file keeps its node id");
    }

    @Test
    void contentChangedOutsideIsSeenAtLookup() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        assertEquals(11, rc.stat("hello.txt").size());
        Files.writeString(backing.resolve("hello.txt"), "longer content than before");
        assertEquals(26, engine.lookup(rc.view, Engine.ROOT, b("hello.txt")).size(), "lookup answers the new size");
        assertEquals("longer content than before", rc.read("hello.txt"));
    }

    @Test
    void fileAddedOutsideIsVisibleAfterRescanAndReported() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        assertEquals(List.of("a.txt", "sub"), rc.ls("dir"));
        Files.writeString(backing.resolve("dir/new.txt"), "new outside");
        RescanResult r = engine.rescan();
        assertEquals(List.of("/dir/new.txt"), r.added());
        assertEquals(List.of(), r.changed());
        assertEquals(List.of(), r.removed());
        assertEquals(engine.headVersion(), r.version());
        assertEquals(List.of("a.txt", "new.txt", "sub"), rc.ls("dir"));
        assertEquals("new outside", rc.read("dir/new.txt"));
        assertFalse(engine.rescan().tookIn(), "a second rescan finds nothing");
    }

    @Test
    void fileAddedOutsideIsFoundByANegativeLookup() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        assertFalse(rc.exists("dir/late.txt"));
        Files.writeString(backing.resolve("dir/late.txt"), "late");
        // the directory's mtime moved: the lookup lists it again
        bumpMtime(backing.resolve("dir"));
        assertEquals("late", rc.read("dir/late.txt"));
    }

    /**
     * An old version read through {@link Engine#versionView} (the delta-id worker, diffs of versions) never
     * takes in an outside change: that would publish, under the publish lock, which a flush holds while it
     * waits for the worker. The change is found by the next read of the live state instead.
     */
    @Test
    void readingAnOldVersionTakesNothingIn() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        assertEquals(List.of("a.txt", "sub"), rc.ls("dir"));
        long head = engine.headVersion();
        Files.writeString(backing.resolve("dir/late.txt"), "late");
        bumpMtime(backing.resolve("dir"));
        Files.writeString(backing.resolve("hello.txt"), "changed behind txfs's back");
        View old = engine.versionView(head);
        try {
            TestFs version = new TestFs(engine, old);
            assertEquals(List.of("a.txt", "sub"), version.ls("dir"), "the version's own listing");
            assertFalse(version.exists("dir/late.txt"));
            assertThrows(
                    FsException.class,
                    () -> version.read("hello.txt"),
                    "its base file changed: ESTALE, nothing taken in");
            assertEquals(head, engine.headVersion(), "reading the version published nothing");
        } finally {
            PinnedViews.release(engine, old);
        }
        assertEquals(List.of("a.txt", "late.txt", "sub"), rc.ls("dir"), "the live state takes the change in");
        assertEquals(head + 1, engine.headVersion());
    }

    /** A listing is compared when the directory's stat differs; tests must not rely on the clock's granularity. */
    private static void bumpMtime(Path dir) throws IOException {
        Files.setLastModifiedTime(
                dir, FileTime.fromMillis(Files.getLastModifiedTime(dir).toMillis() + 5_000));
    }

    @Test
    void aFileReplacedOutsideByARenameIsANewFileAndTheOldNodeReadsEstaleNotZeros() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        long old = rc.ino("hello.txt");
        assertEquals("hello world", rc.read("hello.txt"));
        // how editors save: write a new file, rename it over the old name
        Files.writeString(backing.resolve("hello.txt.tmp"), "saved by an editor");
        Files.move(backing.resolve("hello.txt.tmp"), backing.resolve("hello.txt"), StandardCopyOption.REPLACE_EXISTING);
        bumpMtime(backing);
        assertEquals("saved by an editor", rc.read("hello.txt"));
        assertTrue(rc.ino("hello.txt") != old, "another file, another node");
        // a descriptor still on the replaced node: its content is gone, and it says so
        assertErrno(Errno.ESTALE, () -> engine.read(rc.view, old, 0, 5));
        assertEquals(List.of("dir", "hello.txt"), rc.ls(""));
    }

    @Test
    void fileAndDirectoryRemovedOutsideAreGone() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        assertEquals("deep", rc.read("dir/sub/deep.txt"));
        Files.delete(backing.resolve("dir/a.txt"));
        Files.delete(backing.resolve("dir/sub/deep.txt"));
        Files.delete(backing.resolve("dir/sub"));
        RescanResult r = engine.rescan();
        assertEquals(List.of("/dir/a.txt", "/dir/sub", "/dir/sub/deep.txt"), r.removed());
        assertEquals(List.of(), rc.ls("dir"));
        assertFalse(rc.exists("dir/a.txt"));
        // a later publish and flush work over the new state
        TestFs w = view("w", Isolation.SNAPSHOT);
        w.write("dir/b.txt", "B");
        engine.publish(w.view, false);
        engine.flush();
        assertEquals("B", Files.readString(backing.resolve("dir/b.txt")));
        assertEquals(Trees.ofDisk(backing), Trees.ofView(engine, engine.published()));
    }

    @Test
    void aViewWithAPendingChangeToTheSamePathConflictsAtPublish() throws IOException {
        TestFs a = view("a", Isolation.SNAPSHOT);
        a.write("hello.txt", "mine");
        TestFs b2 = view("b", Isolation.SNAPSHOT);
        b2.write("dir/new.txt", "view's new file");
        Files.writeString(backing.resolve("hello.txt"), "theirs, outside");
        Files.writeString(backing.resolve("dir/new.txt"), "outside's new file");
        RescanResult r = engine.rescan();
        assertEquals(List.of("/hello.txt"), r.changed());
        PublishConflictException e = assertThrows(PublishConflictException.class, () -> engine.publish(a.view, false));
        assertEquals(List.of("/hello.txt"), e.paths());
        PublishConflictException e2 =
                assertThrows(PublishConflictException.class, () -> engine.publish(b2.view, false));
        assertEquals(List.of("/dir/new.txt"), e2.paths());
        assertEquals("mine", a.read("hello.txt"), "the view stays intact");
        engine.publish(a.view, true);
        assertEquals("mine", new TestFs(engine, engine.published()).read("hello.txt"));
    }

    @Test
    void pendingChunksAreNeverReadOverAChangedBase() throws IOException {
        TestFs a = view("a", Isolation.SNAPSHOT);
        long ino = a.ino("hello.txt");
        engine.write(a.view, ino, Engine.CHUNK, b("x"));
        Files.writeString(backing.resolve("hello.txt"), "changed behind our back!");
        // the view's chunk sits on the old content, which is gone: that file alone fails, clearly
        assertErrno(Errno.ESTALE, () -> engine.read(a.view, ino, 0, 5));
        assertEquals("A", a.read("dir/a.txt"));
        assertEquals("changed behind our back!", new TestFs(engine, engine.published()).read("hello.txt"));
        assertThrows(PublishConflictException.class, () -> engine.publish(a.view, false));
    }

    @Test
    void aSnapshotFromBeforeTheChangeGetsEstaleForThatFileOnly() throws IOException {
        TestFs s = view("s", Isolation.SNAPSHOT);
        long ino = s.ino("hello.txt");
        Files.writeString(backing.resolve("hello.txt"), "new");
        engine.rescan();
        assertErrno(Errno.ESTALE, () -> engine.read(s.view, ino, 0, 5));
        assertEquals("deep", s.read("dir/sub/deep.txt"));
        engine.refresh(s.view);
        assertEquals("new", s.read("hello.txt"), "after a refresh the view reads the new content");
    }

    @Test
    void changeToAPathPublishedButNotFlushedIsOverriddenByTheOutsideChangeAndFlushAgrees() throws IOException {
        TestFs w = view("w", Isolation.SNAPSHOT);
        w.write("hello.txt", "published, not flushed");
        w.write("dir/a.txt", "A published");
        engine.publish(w.view, false);
        long flushed = engine.flushedVersion();
        Files.writeString(backing.resolve("hello.txt"), "outside wins");
        Files.writeString(backing.resolve("new.txt"), "outside new");
        RescanResult r = engine.rescan();
        assertEquals(List.of("/hello.txt"), r.changed());
        assertEquals(List.of("/new.txt"), r.added());
        assertEquals(List.of("/hello.txt"), r.overridden());
        assertEquals(flushed, engine.flushedVersion(), "published versions still wait for their flush");
        TestFs pub = new TestFs(engine, engine.published());
        assertEquals("outside wins", pub.read("hello.txt"));
        assertEquals("outside new", pub.read("new.txt"));
        assertEquals("A published", pub.read("dir/a.txt"));
        engine.flush();
        assertEquals("A published", Files.readString(backing.resolve("dir/a.txt")));
        assertEquals("outside wins", Files.readString(backing.resolve("hello.txt")));
        TreeMap<String, String> disk = Trees.ofDisk(backing);
        assertEquals(disk, Trees.ofView(engine, engine.published()));
        assertFalse(engine.rescan().tookIn(), "after the flush, BACKING is what txfs recorded");
    }

    @Test
    void anAmendedFlushedVersionSurvivesRestartAndTheNextFlushWritesOnlyThePublishedChanges() throws IOException {
        TestFs w = view("w", Isolation.SNAPSHOT);
        w.write("dir/a.txt", "A published");
        engine.publish(w.view, false);
        new TestFs(engine, engine.published()).ls("dir/sub");
        Files.writeString(backing.resolve("dir/sub/deep.txt"), "deep, changed outside");
        Files.writeString(backing.resolve("dir/sub/more.txt"), "more");
        Files.delete(backing.resolve("hello.txt"));
        RescanResult r = engine.rescan();
        assertEquals(List.of(), r.overridden(), "no published change touched those paths");
        engine.close();
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
        assertFalse(engine.rescan().tookIn(), "the flushed version says what BACKING holds, after a restart too");
        engine.flush();
        assertEquals("A published", Files.readString(backing.resolve("dir/a.txt")));
        assertEquals("deep, changed outside", Files.readString(backing.resolve("dir/sub/deep.txt")));
        assertEquals("more", Files.readString(backing.resolve("dir/sub/more.txt")));
        assertFalse(Files.exists(backing.resolve("hello.txt")));
        assertEquals(Trees.ofDisk(backing), Trees.ofView(engine, engine.published()));
    }

    @Test
    void flushOverAFileChangedOutsideTakesItInInsteadOfFailing() throws IOException {
        TestFs w = view("w", Isolation.SNAPSHOT);
        w.write("dir/a.txt", "from a view");
        engine.publish(w.view, false);
        Files.writeString(backing.resolve("dir/a.txt"), "outside, after the publish");
        engine.flush();
        // the outside change is the newer fact: the flush left it, and flushed the rest
        assertEquals("outside, after the publish", Files.readString(backing.resolve("dir/a.txt")));
        assertEquals(Trees.ofDisk(backing), Trees.ofView(engine, engine.published()));
        assertEquals(engine.headVersion(), engine.flushedVersion());
    }

    @Test
    void takeInSurvivesRestart() throws IOException {
        Files.writeString(backing.resolve("hello.txt"), "changed");
        Files.writeString(backing.resolve("dir/x"), "x");
        new TestFs(engine, engine.published()).ls("dir");
        engine.rescan();
        engine.close();
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
        TestFs pub = new TestFs(engine, engine.published());
        assertEquals("changed", pub.read("hello.txt"));
        assertEquals("x", pub.read("dir/x"));
        assertFalse(engine.rescan().tookIn());
    }

    @Test
    void backingDeletedWhileOpenFailsEveryOperationWithEstale() throws IOException {
        TestFs rc = view("rc", Isolation.READ_COMMITTED);
        long ino = rc.ino("hello.txt");
        assertNull(engine.backingProblem());
        Trees.deleteTree(backing);
        assertErrno(Errno.ESTALE, () -> engine.read(rc.view, ino, 0, 5));
        assertNotNull(engine.backingProblem());
        assertTrue(engine.backingProblem().contains("deleted"), engine.backingProblem());
        assertErrno(Errno.ESTALE, () -> rc.ls(""));
        assertErrno(Errno.ESTALE, () -> rc.write("new", "x"));
        assertErrno(Errno.ESTALE, () -> engine.rescan());
        assertErrno(Errno.ESTALE, () -> engine.flush());
        assertEquals(List.of(), engine.pendingDelta(rc.view), "status still answers");
    }

    /**
     * A flush waits, under the publish lock, for derived work (delta ids) that reads trees. A read of a
     * directory changed outside used to take the change in, which needs that lock: both waited for
     * ever (seen in CI as a hung InspectRepliesGoldenTest). Reads during the wait must not take in.
     */
    @Test
    void aReadThatAFlushWaitsForNeverWaitsForTheFlush() throws Exception {
        TestFs v = view("v", Isolation.SNAPSHOT);
        v.write("new.txt", "x");
        engine.publish(v.view, false);
        engine.readdir(engine.published(), Engine.ROOT);
        Files.writeString(backing.resolve("outside.txt"), "from outside"); // the root's identity changes
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            engine.setVersionHook(new VersionHook() {
                @Override
                public void published(long version) {}

                @Override
                public DeltaIdRecord beforeFlush(long flushed, long head) {
                    try {
                        reader.submit(() -> engine.readdir(engine.published(), Engine.ROOT))
                                .get(30, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        throw new AssertionError("the read waited for the flush that waited for it", e);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return null;
                }
            });
            engine.flush();
        } finally {
            reader.shutdownNow();
        }
        assertEquals("x", Files.readString(backing.resolve("new.txt")));
    }
}
