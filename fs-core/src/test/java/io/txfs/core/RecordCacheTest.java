package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.tree.View;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record caches (PendingCache, PublishedCache) never answer with a stale value: each test reads
 * something first (so it is cached), changes it another way, and reads again. RocksDB store.
 */
class RecordCacheTest {
    @TempDir
    Path tmp;

    Path backing;
    Engine engine;

    @BeforeEach
    void setUp() throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.createDirectories(backing.resolve("d1"));
        Files.createDirectories(backing.resolve("d2"));
        Files.writeString(backing.resolve("d1/a"), "shared");
        Files.createLink(backing.resolve("d2/b"), backing.resolve("d1/a"));
        Files.writeString(backing.resolve("f"), "one");
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void snapshotAndReadCommittedViewsSeeTheirVersionsAcrossPublishes() {
        TestFs w = new TestFs(engine, engine.createView("w", Isolation.SNAPSHOT, 0));
        TestFs snap = new TestFs(engine, engine.createView("snap", Isolation.SNAPSHOT, 0));
        TestFs rc = new TestFs(engine, engine.createView("rc", Isolation.READ_COMMITTED, 0));
        for (int round = 1; round <= 3; round++) {
            assertEquals("one", snap.read("f"));
            assertEquals(round == 1 ? "one" : "v" + (round - 1), rc.read("f"));
            assertEquals(round == 1 ? 3 : 2, rc.stat("f").size());
            w.write("f", "v" + round);
            assertTrue(rc.exists("new" + (round - 1)) || round == 1);
            w.write("new" + round, "x");
            assertFalse(rc.exists("new" + round));
            engine.publish(w.view, false);
            assertEquals("v" + round, rc.read("f"));
            assertTrue(rc.exists("new" + round));
            assertFalse(snap.exists("new" + round));
            assertEquals("one", snap.read("f"));
        }
        engine.refresh(snap.view);
        assertEquals("v3", snap.read("f"));
    }

    @Test
    void aNameFoundMissingAppearsOnceCreatedInBackedAndNewDirectories() {
        TestFs w = new TestFs(engine, engine.createView("w", Isolation.SNAPSHOT, 0));
        TestFs rc = new TestFs(engine, engine.createView("rc", Isolation.READ_COMMITTED, 0));
        TestFs snap = new TestFs(engine, engine.createView("snap", Isolation.SNAPSHOT, 0));
        w.mkdir("made");
        engine.publish(w.view, false);
        for (int i = 0; i < 2; i++) { // the second answer comes from the cache
            assertFalse(rc.exists("d1/late"));
            assertFalse(snap.exists("d1/late"));
            assertFalse(rc.exists("made/x"));
        }
        w.write("d1/late", "l");
        w.write("made/x", "x");
        assertFalse(rc.exists("d1/late"), "not before the publish");
        engine.publish(w.view, false);
        assertEquals("l", rc.read("d1/late"));
        assertEquals("x", rc.read("made/x"));
        assertFalse(snap.exists("d1/late"), "a snapshot view keeps its version");
        engine.refresh(snap.view);
        assertEquals("l", snap.read("d1/late"));
    }

    /** Before its import a backed directory's names are not in the store yet: "absent" must not be remembered. */
    @Test
    void absenceInADirectoryNotYetImportedIsNotCached() {
        TestFs fs = new TestFs(engine, engine.createView("v", Isolation.SNAPSHOT, 0));
        // from the root's listing: a lookup would list d2 itself (its link count counts subdirectories)
        long d2 = engine.readdir(fs.view, Engine.ROOT).stream()
                .filter(e -> new String(e.name()).equals("d2"))
                .findFirst()
                .orElseThrow()
                .ino();
        assertEquals(0, engine.versions.dent(d2, b("b"), engine.state.head()).child());
        assertEquals("shared", fs.read("d2/b"), "the import of d2 brings the name");
    }

    @Test
    void aPinnedHandleSeesWritesMadeThroughTheViewAfterItRead() {
        View v = engine.createView("v", Isolation.READ_COMMITTED, 0);
        TestFs fs = new TestFs(engine, v);
        long ino = fs.ino("f");
        View pinned = PinnedViews.pin(engine, v);
        assertEquals("one", new String(engine.read(pinned, ino, 0, 100)));
        engine.write(v, ino, 0, b("two"));
        assertEquals("two", new String(engine.read(pinned, ino, 0, 100)));
        engine.write(v, ino, 3, b("!"));
        assertEquals(4, engine.getattr(pinned, ino).size());
    }

    @Test
    void abortAndPublishForgetThePendingDelta() {
        TestFs fs = new TestFs(engine, engine.createView("v", Isolation.SNAPSHOT, 0));
        fs.write("p", "pending");
        fs.mkdir("dir");
        assertEquals("pending", fs.read("p"));
        engine.abort(fs.view);
        assertFalse(fs.exists("p"));
        assertFalse(fs.exists("dir"));
        assertEquals("one", fs.read("f"));
        fs.write("p", "again");
        fs.write("f", "changed");
        engine.publish(fs.view, false);
        assertEquals("again", fs.read("p"));
        assertEquals("changed", fs.read("f"));
        // after publish the view's pending delta is empty: a rename must see the published records
        engine.rename(fs.view, Engine.ROOT, b("p"), Engine.ROOT, b("q"), 0);
        assertFalse(fs.exists("p"));
        assertEquals("again", fs.read("q"));
        // and a second publish must not conflict on keys the cache remembered from before the first
        TestFs other = new TestFs(engine, engine.createView("o", Isolation.SNAPSHOT, 0));
        other.write("q", "theirs");
        engine.publish(fs.view, false);
        assertThrows(PublishConflictException.class, () -> engine.publish(other.view, false));
    }

    @Test
    void hardLinksFoundByLaterImportsAreSeen() throws Exception {
        TestFs fs = new TestFs(engine, engine.createView("v", Isolation.SNAPSHOT, 0));
        long ino = fs.ino("d1/a");
        assertEquals(2, fs.stat("d1/a").nlink());
        assertEquals(ino, fs.ino("d2/b")); // listing d2 adds the second name to the version-0 record
        engine.unlink(fs.view, fs.ino("d1"), b("a"));
        assertEquals(1, engine.getattr(fs.view, ino).nlink());
        assertEquals("shared", fs.read("d2/b"));
        engine.publish(fs.view, false);
        engine.flush();
        assertFalse(Files.exists(backing.resolve("d1/a")));
        assertEquals("shared", Files.readString(backing.resolve("d2/b")));
    }
}
