package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A directory's nlink is 2 + its subdirectories, as on ext4, in every view and after publish/flush. */
class DirectoryNlinkTest {
    @TempDir
    Path tmp;

    private Path backing;
    private MemoryStore memory;

    private Engine open(String store) {
        if (store.equals("rocks")) return Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
        memory = memory == null ? new MemoryStore() : memory.reopened();
        return Engine.open(EngineConfig.memory(backing, memory));
    }

    private Engine setUp(String store) throws Exception {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.createDirectories(backing.resolve("d/s1"));
        Files.createDirectories(backing.resolve("d/s2/deeper"));
        Files.writeString(backing.resolve("d/file"), "f");
        Files.createDirectories(backing.resolve("e"));
        Files.createDirectories(backing.resolve(".txfs")); // never imported: not counted in the root
        return open(store);
    }

    private static int n(TestFs v, String path) {
        return v.stat(path).nlink();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void importedDirectoriesCountTheirBackingSubdirectories(String store) throws Exception {
        try (Engine e = setUp(store)) {
            TestFs a = new TestFs(e, e.createView("a", Isolation.SNAPSHOT, 0));
            assertEquals(4, n(a, "d"), "d has s1 and s2 (getattr before any listing of d)");
            assertEquals(4, e.lookup(a.view, Engine.ROOT, b("d")).nlink(), "lookup reports the same");
            assertEquals(4, n(a, ""), "root: d and e, not .txfs");
            assertEquals(3, n(a, "d/s2"));
            assertEquals(2, n(a, "d/s2/deeper"));
            assertEquals(1, n(a, "d/file"), "files keep their own link count");
            assertEquals(4, e.lookup(a.view, a.ino("d/s1"), b("..")).nlink(), "'..' of s1 is d");
            if ((Integer) Files.getAttribute(backing.resolve("d"), "unix:nlink") != 1) {
                assertEquals(
                        (int) (Integer) Files.getAttribute(backing.resolve("d"), "unix:nlink"),
                        n(a, "d"),
                        "same as the backing filesystem");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void mkdirRmdirAndRenameKeepCountsInTheViewOnly(String store) throws Exception {
        try (Engine e = setUp(store)) {
            TestFs a = new TestFs(e, e.createView("a", Isolation.SNAPSHOT, 0));
            TestFs other = new TestFs(e, e.createView("other", Isolation.SNAPSHOT, 0));
            assertEquals(
                    2, e.mkdir(a.view, a.ino("e"), b("new"), 0755, Caller.ROOT).nlink(), "a new directory");
            assertEquals(3, n(a, "e"));
            a.rmdir("d/s1");
            assertEquals(3, n(a, "d"));
            a.mv("d/s2", "e/s2"); // directory moves: source loses one, target gains one
            assertEquals(2, n(a, "d"));
            assertEquals(4, n(a, "e"));
            a.mv("d/file", "e/file"); // a file move changes no directory count
            assertEquals(2, n(a, "d"));
            assertEquals(4, n(a, "e"));
            a.mkdir("d/empty");
            a.mv("e/new", "d/empty"); // replaces an empty directory: d keeps its count, e loses one
            assertEquals(3, n(a, "d"));
            assertEquals(3, n(a, "e"));
            e.rename(a.view, a.ino("d"), b("empty"), a.ino("e"), b("file"), Engine.RENAME_EXCHANGE);
            assertEquals(2, n(a, "d"), "exchange moved the directory out of d");
            assertEquals(4, n(a, "e"));
            assertEquals(4, n(other, "d"), "other views keep their snapshot's counts");
            assertEquals(2, n(other, "e"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void publishOfTwoViewsForceFlushAndRestart(String store) throws Exception {
        Engine e = setUp(store);
        try {
            TestFs a = new TestFs(e, e.createView("a", Isolation.SNAPSHOT, 0));
            TestFs bv = new TestFs(e, e.createView("b", Isolation.SNAPSHOT, 0));
            TestFs c = new TestFs(e, e.createView("c", Isolation.SNAPSHOT, 0));
            TestFs rc = new TestFs(e, e.createView("rc", Isolation.READ_COMMITTED, 0));
            a.mkdir("e/fromA");
            bv.mkdir("e/fromB");
            c.mkdir("e/fromA"); // the same name as a: only a forced publish gets it in
            c.rmdir("d/s1");
            e.publish(a.view, false);
            e.publish(bv.view, false); // different names in one directory: no conflict
            TestFs pub = new TestFs(e, e.published());
            assertEquals(4, n(pub, "e"), "both views' subdirectories count");
            assertEquals(4, n(rc, "e"), "a read-committed view sees them at once");
            assertEquals(3, n(c, "e"), "c still sees its own snapshot plus its own mkdir");
            e.publish(c.view, true);
            assertEquals(4, n(pub, "e"), "forced e/fromA replaced a's, no double count");
            assertEquals(3, n(pub, "d"));
            bv.rmdir("e/fromB");
            bv.mkdir("d/s3");
            e.publish(bv.view, false);
            assertEquals(3, n(pub, "e"));
            assertEquals(4, n(pub, "d"));
            e.flush();
            assertEquals(3, n(pub, "e"));
            assertEquals(4, n(pub, "d"));
            assertEquals(4, n(new TestFs(e, e.view("a")), "d"), "views on the flushed version");
            if ((Integer) Files.getAttribute(backing.resolve("d"), "unix:nlink") != 1) {
                assertEquals(4, (int) (Integer) Files.getAttribute(backing.resolve("d"), "unix:nlink"));
                assertEquals(3, (int) (Integer) Files.getAttribute(backing.resolve("e"), "unix:nlink"));
            }
        } finally {
            e.close();
        }
        try (Engine again = open(store)) {
            TestFs pub = new TestFs(again, again.published());
            assertEquals(3, n(pub, "e"), "after restart");
            assertEquals(4, n(pub, "d"));
            assertEquals(4, n(pub, ""));
        }
    }
}
