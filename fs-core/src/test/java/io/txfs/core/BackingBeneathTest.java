package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultInjector;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BACKING owned by another user (docs/security.md): whoever owns it may swap a directory, or the staging
 * directory, for a symlink at any time, also during a flush. The daemon runs as root, so nothing it does
 * in BACKING may follow one: no write, and no read, outside BACKING.
 */
class BackingBeneathTest {
    @TempDir
    Path tmp;

    private Path backing;
    private Path outside;
    private Engine engine;

    @BeforeEach
    void setUp() throws IOException {
        backing = Files.createDirectory(tmp.resolve("backing"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createDirectory(backing.resolve("a"));
        Files.writeString(backing.resolve("a/f"), "public");
    }

    @AfterEach
    void tearDown() {
        if (engine != null) engine.close();
    }

    private TestFs open(FaultInjector faults) {
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")).withFaults(faults));
        return new TestFs(engine, engine.createView("v", Isolation.READ_COMMITTED, 0));
    }

    /** Replaces directory BACKING/name by a symlink to target (the directory itself moves out of the way). */
    private void swapForSymlink(String name, Path target) throws IOException {
        Files.move(backing.resolve(name), tmp.resolve(name + ".moved"));
        Files.createSymbolicLink(backing.resolve(name), target);
    }

    private List<String> listOutside() throws IOException {
        try (Stream<Path> s = Files.walk(outside)) {
            return s.filter(p -> !p.equals(outside))
                    .map(p -> outside.relativize(p).toString())
                    .toList();
        }
    }

    @Test
    void aDirectorySwappedForASymlinkBeforeTheFlushRefusesItNamingThePath() throws IOException {
        TestFs v = open(FaultInjector.NONE);
        v.write("a/x", "new");
        engine.publish(v.view, false);
        long flushed = engine.flushedVersion();
        swapForSymlink("a", outside);

        FsException ex = assertThrows(FsException.class, engine::flush);
        assertTrue(
                ex.getMessage().contains("BACKING/a is a symlink, txfs never follows one in BACKING"), ex.getMessage());
        assertEquals(List.of(), listOutside(), "nothing written outside BACKING");
        assertEquals(flushed, engine.flushedVersion(), "the published state stays pending");
        assertTrue(engine.headVersion() > engine.flushedVersion());
        assertTrue(Files.isSymbolicLink(backing.resolve("a")), "the user's symlink is left alone");

        // once the directory is back, the same published state flushes
        Files.delete(backing.resolve("a"));
        Files.move(tmp.resolve("a.moved"), backing.resolve("a"));
        assertFalse(engine.flush().nothingToDo());
        assertEquals("new", Files.readString(backing.resolve("a/x")));
        assertEquals(List.of(), listOutside());
    }

    @Test
    void aDirectorySwappedForASymlinkWhileThePlanIsAppliedStopsWithoutWritingOutside() throws IOException {
        AtomicBoolean swap = new AtomicBoolean();
        TestFs v = open(point -> {
            if (point.equals(FaultPoint.FLUSH_APPLY_STEP) && swap.compareAndSet(true, false)) {
                try {
                    swapForSymlink("a", outside);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        });
        v.write("a/x", "new");
        v.write("top", "t"); // a step before the placement of a/x, where the swap happens
        engine.publish(v.view, false);
        swap.set(true);

        FsException ex = assertThrows(FsException.class, engine::flush);
        assertTrue(ex.getMessage().contains("BACKING/a is a symlink"), ex.getMessage());
        assertEquals(List.of(), listOutside(), "nothing written outside BACKING");
        assertNotEquals(engine.headVersion(), engine.flushedVersion());

        // the committed plan completes once the directory is back
        Files.delete(backing.resolve("a"));
        Files.move(tmp.resolve("a.moved"), backing.resolve("a"));
        engine.flush();
        assertEquals("new", Files.readString(backing.resolve("a/x")));
        assertEquals(engine.headVersion(), engine.flushedVersion());
        assertEquals(List.of(), listOutside());
    }

    @Test
    void aStagingDirectorySwappedForASymlinkDuringTheFlushGetsNothingWritten() throws IOException {
        AtomicBoolean swap = new AtomicBoolean();
        TestFs v = open(point -> {
            if (point.equals(FaultPoint.FLUSH_STAGED_FILE) && swap.compareAndSet(true, false)) {
                try {
                    swapForSymlink(EngineConstants.STAGING, outside);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        });
        v.write("n1", "one");
        v.write("n2", "two");
        v.mkdir("d3");
        engine.publish(v.view, false);
        long flushed = engine.flushedVersion();
        swap.set(true);

        FsException ex = assertThrows(FsException.class, engine::flush);
        assertTrue(ex.getMessage().contains("BACKING/" + EngineConstants.STAGING + " is a symlink"), ex.getMessage());
        assertEquals(List.of(), listOutside(), "nothing written outside BACKING");
        assertEquals(flushed, engine.flushedVersion(), "the published state stays pending");
        assertFalse(Files.exists(backing.resolve("n1"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aStagingSymlinkPlantedBeforeTheFlushIsRemovedNotFollowed() throws IOException {
        TestFs v = open(FaultInjector.NONE);
        v.write("n1", "one");
        engine.publish(v.view, false);
        Files.writeString(outside.resolve("keep"), "k");
        Files.createSymbolicLink(backing.resolve(EngineConstants.STAGING), outside);

        assertFalse(engine.flush().nothingToDo());
        assertEquals(List.of("keep"), listOutside());
        assertEquals("one", Files.readString(backing.resolve("n1")));
    }

    @Test
    void aBaseReadThroughADirectorySwappedForASymlinkNeverReturnsWhatItPointsTo() throws IOException {
        Files.writeString(outside.resolve("f"), "secret");
        TestFs v = open(FaultInjector.NONE);
        assertEquals(List.of("f"), v.ls("a")); // imported, content not read yet
        long ino = v.ino("a/f");
        swapForSymlink("a", outside);

        String got;
        try {
            got = new String(engine.read(v.view, ino, 0, 100), StandardCharsets.UTF_8);
        } catch (FsException refused) {
            got = "refused: " + refused.getMessage();
        }
        assertFalse(got.contains("secret"), got);
        List<String> listed;
        try {
            listed = v.ls("a");
        } catch (FsException refused) {
            listed = List.of(); // a is a symlink now (taken in as an outside change), or the read is refused
        }
        assertFalse(listed.contains("f"), "the outside directory is never listed: " + listed);
    }
}
