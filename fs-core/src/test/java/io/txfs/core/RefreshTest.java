package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.RefreshConflictException;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Engine.refresh}: a rebase of a view's pending delta onto the newest published state, refused
 * (nothing changed) when a pending path was published since, by the rules of a publish. In-memory store.
 */
class RefreshTest {
    @TempDir
    Path backing;

    Engine engine;
    TestFs mine;
    TestFs other;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(backing.resolve("f"), "base f");
        Files.writeString(backing.resolve("g"), "base g");
        Files.createDirectories(backing.resolve("d"));
        Files.writeString(backing.resolve("d/x"), "base x");
        engine = Engine.open(EngineConfig.memory(backing, new MemoryStore()));
        mine = new TestFs(engine, engine.createView("mine", Isolation.SNAPSHOT, 0));
        other = new TestFs(engine, engine.createView("other", Isolation.SNAPSHOT, 0));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void aConflictingPathRefusesTheRefreshListingItAndChangesNothing() {
        mine.write("f", "mine");
        mine.write("new", "n");
        long base = mine.view.info().snapshotVersion();
        other.write("f", "theirs");
        other.write("g", "theirs too");
        engine.publish(other.view, false);

        RefreshConflictException e = assertThrows(RefreshConflictException.class, () -> engine.refresh(mine.view));
        assertEquals(Errno.EBUSY, e.errno());
        assertEquals(List.of("/f"), e.paths(), "only the path both changed");
        assertEquals(base, mine.view.info().snapshotVersion(), "the base did not move");
        assertEquals("mine", mine.read("f"));
        assertEquals("base g", mine.read("g"), "still reads its old snapshot");
        assertEquals(2, engine.pendingDelta(mine.view).size(), "the pending delta is intact");
        assertThrows(
                PublishConflictException.class,
                () -> engine.publish(mine.view, false),
                "and a publish still conflicts the same way");
    }

    @Test
    void aDisjointRefreshMovesTheBaseToTheHeadAndKeepsThePendingChanges() {
        mine.write("f", "mine");
        other.write("g", "theirs");
        other.write("d/y", "new in d");
        engine.publish(other.view, false);

        engine.refresh(mine.view);
        assertEquals(engine.headVersion(), mine.view.info().snapshotVersion());
        assertEquals("mine", mine.read("f"), "its own change stays on top");
        assertEquals("theirs", mine.read("g"), "what others published shows");
        assertEquals("new in d", mine.read("d/y"));
        assertEquals(
                List.of("f"),
                engine.pendingDelta(mine.view).stream().map(DeltaEntry::path).toList(),
                "others' changes are not in its delta");

        other.write("g", "later");
        engine.publish(other.view, false);
        engine.publish(mine.view, false); // no conflict: g was not the view's
        assertEquals("mine", new TestFs(engine, engine.published()).read("f"));
        assertEquals("later", new TestFs(engine, engine.published()).read("g"));
    }

    @Test
    void aSnapshotViewSeesFilesPublishedSinceOnlyAfterItsRefresh() {
        other.write("d/late", "late");
        other.mkdir("made");
        other.write("made/in", "in");
        engine.publish(other.view, false);
        assertFalse(mine.exists("d/late"), "a snapshot keeps its version");
        assertFalse(mine.exists("made"));

        ChangeSet stale = engine.refresh(mine.view);
        assertFalse(stale.isEmpty(), "what the view's kernel side cached of the old state is named");
        assertEquals("late", mine.read("d/late"));
        assertEquals("in", mine.read("made/in"));
        assertTrue(mine.ls("d").contains("late"));
    }

    @Test
    void aConflictUnderARemovedDirectoryRefusesLikeAPublish() {
        mine.write("d/mine", "m");
        other.rm("d/x");
        other.rmdir("d");
        engine.publish(other.view, false);
        RefreshConflictException e = assertThrows(RefreshConflictException.class, () -> engine.refresh(mine.view));
        assertEquals(List.of("/d"), e.paths());
        assertEquals("m", mine.read("d/mine"));
    }

    @Test
    void anUnchangedViewIsRemovedByDiscardIfUnchangedAndAChangedOneIsNot() {
        mine.write("tmp", "t");
        mine.rm("tmp"); // made and undone: nothing pending
        assertTrue(engine.pendingDelta(mine.view).isEmpty());
        assertTrue(engine.discardIfUnchanged(mine.view) != null);
        assertThrows(FsException.class, () -> engine.view("mine"));

        other.write("f", "x");
        assertNull(engine.discardIfUnchanged(other.view));
        assertEquals("x", other.read("f"), "a view with a pending change stays as it was");
    }

    @Test
    void anAnonymousViewKeepsItsMarkAcrossPublishAndReopen() throws Exception {
        Path state = Files.createTempDirectory("txfs-refresh-state");
        Path b2 = Files.createDirectories(state.resolve("backing"));
        try (Engine e = Engine.open(EngineConfig.rocks(b2, state.resolve("s")))) {
            View v = e.createView("v1-1", Isolation.SNAPSHOT, 0, true);
            new TestFs(e, v).write("a", "a");
            e.publish(v, false);
            assertTrue(e.view("v1-1").anonymous());
            assertFalse(e.createView("named", Isolation.SNAPSHOT, 0).anonymous());
        }
        try (Engine e = Engine.open(EngineConfig.rocks(b2, state.resolve("s")))) {
            assertTrue(e.view("v1-1").anonymous(), "the mark survives a restart");
            assertFalse(e.view("named").anonymous());
        }
    }
}
