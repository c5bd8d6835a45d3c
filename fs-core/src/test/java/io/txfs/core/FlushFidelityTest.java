package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FlushRefusedException;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.PathCalls;
import io.txfs.sys.RawPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC "Flush is faithful", on a real backing directory: special files are never opened, every property
 * lands (FaithfulTrees compares the published state with BACKING), and what the backing filesystem
 * refuses fails the flush naming the path, with BACKING and the flushed version as they were.
 */
class FlushFidelityTest {
    /** Every call of a flush here must return well within this (one that opens a FIFO never does). */
    private static final Duration FLUSH_LIMIT = Duration.ofSeconds(Long.getLong("txfs.test.flushLimitSeconds", 60));

    private static final long T = 1_600_000_000_000_000_000L;
    /** makedev(1, 3): /dev/null. */
    private static final long DEV_NULL = (1 << 8) | 3;

    @TempDir
    Path tmp;

    private Path shm;
    private Engine engine;
    private Path backing;

    @AfterEach
    void tearDown() throws IOException {
        if (engine != null) engine.close();
        if (shm != null) Trees.deleteTree(shm);
    }

    /** The backing directory on the named filesystem: ext4 is the temp dir here, tmpfs is /dev/shm. */
    private Path backingOn(String fs) throws IOException {
        Path dir;
        if (fs.equals("tmpfs")) {
            Path devShm = Path.of("/dev/shm");
            if (!Files.isDirectory(devShm) || !Files.getFileStore(devShm).type().equals("tmpfs")) {
                System.err.println("SKIPPED LOUDLY: FlushFidelityTest on tmpfs: /dev/shm is not a tmpfs here");
                Assumptions.abort("no tmpfs at /dev/shm");
            }
            shm = Files.createTempDirectory(devShm, "txfs-flush-");
            dir = Files.createDirectory(shm.resolve("backing"));
        } else {
            dir = Files.createDirectory(tmp.resolve("backing"));
        }
        String type = Files.getFileStore(dir).type();
        if (!type.equals(fs))
            System.err.println("FlushFidelityTest: asked for " + fs + ", the directory is on " + type);
        return dir;
    }

    private static byte[] c(Path p) {
        return RawPaths.cString(RawPaths.absolute(p));
    }

    private static void mknod(Path p, int mode, long rdev) throws IOException {
        if (LibC.INSTANCE.mknod(c(p), mode, rdev) != 0) throw PathCalls.error("mknod", c(p));
    }

    private static void setxattr(Path p, String name, byte[] value) throws IOException {
        if (LibC.INSTANCE.lsetxattr(c(p), RawPaths.cString(b(name)), value, value.length, 0) != 0)
            throw PathCalls.error("lsetxattr", c(p));
    }

    private Engine open(Path backing) {
        this.backing = backing;
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")));
        return engine;
    }

    /** Flushes on a thread of its own, failing (not hanging) when it does not return within FLUSH_LIMIT. */
    private FlushResult flush() throws InterruptedException {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(
                () -> {
                    try {
                        out.set(engine.flush());
                    } catch (RuntimeException ex) {
                        out.set(ex);
                    }
                },
                "test-flush");
        t.start();
        t.join(FLUSH_LIMIT.toMillis());
        if (t.isAlive()) {
            // get the stuck flusher out of the engine's locks, so the run reports this instead of hanging
            for (int i = 0; i < 600 && t.isAlive(); i++) {
                releaseFifoReaders(backing);
                t.join(100);
            }
            throw new AssertionError("flush did not return within " + FLUSH_LIMIT + " (a special file opened?)");
        }
        if (out.get() instanceof RuntimeException ex) throw ex;
        return (FlushResult) out.get();
    }

    /**
     * A flusher blocked opening a FIFO for reading waits for a writer: be one, so the stuck thread gets
     * out of the engine's locks and the test run ends with the failure instead of hanging in close().
     */
    private static void releaseFifoReaders(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (((Integer) mode & 0170000) != 0010000) continue;
                int fd = LibC.INSTANCE.open(c(p), 01 | 04000, 0); // O_WRONLY | O_NONBLOCK: ENXIO when nobody reads
                if (fd >= 0) LibC.INSTANCE.close(fd);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the assertion that brought us here is the failure to report
        }
    }

    private void assertFaithful(Path backing) throws IOException {
        TreeMap<String, String> published = FaithfulTrees.ofView(engine, engine.published());
        TreeMap<String, String> disk = FaithfulTrees.ofDisk(backing);
        assertEquals(
                String.join(
                        "\n",
                        published.entrySet().stream().map(Object::toString).toList()),
                String.join("\n", disk.entrySet().stream().map(Object::toString).toList()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ext4", "tmpfs"})
    void everyTypeAndPropertyLandsAndSpecialFilesAreNeverOpened(String fs) throws Exception {
        Path backing = backingOn(fs);
        Files.writeString(backing.resolve("old.txt"), "old");
        setxattr(backing.resolve("old.txt"), "user.keep", b("1"));
        setxattr(backing.resolve("old.txt"), "user.drop", b("2"));
        mknod(backing.resolve("oldfifo"), 0010644, 0);
        mknod(backing.resolve("olddev"), 0020600, DEV_NULL);
        Files.createSymbolicLink(backing.resolve("oldlink"), Path.of("old.txt"));
        Files.createDirectories(backing.resolve("dir"));
        Files.writeString(backing.resolve("dir/in.txt"), "in");
        open(backing);
        TestFs a = new TestFs(engine, engine.createView("a", Isolation.SNAPSHOT, 0));
        Engine e = engine;
        View v = a.view;

        // special files, new and existing: mode and nanosecond times, never an open()
        long fifo = e.mknod(v, Engine.ROOT, b("fifo"), FileType.FIFO, 0640, 0, Caller.ROOT)
                .ino();
        e.setattr(v, fifo, AttributeChange.times(T + 11, T + 1));
        e.setattr(v, a.ino("oldfifo"), AttributeChange.perm(0604));
        e.setattr(v, a.ino("oldfifo"), AttributeChange.times(T + 12, T + 2));
        long dev = e.mknod(v, Engine.ROOT, b("dev"), FileType.CHAR_DEVICE, 0620, DEV_NULL, Caller.ROOT)
                .ino();
        e.setattr(v, dev, AttributeChange.perm(0660));
        e.setattr(v, dev, AttributeChange.times(T + 13, T + 3));
        e.setattr(v, a.ino("olddev"), AttributeChange.perm(0666));
        e.setattr(v, a.ino("olddev"), AttributeChange.times(T + 14, T + 123_456_789));
        // symlinks: owner and nanosecond mtime
        long link =
                e.symlink(v, Engine.ROOT, b("link"), b("old.txt"), Caller.ROOT).ino();
        e.setattr(v, link, AttributeChange.owner(1000, 1000));
        e.setattr(v, link, AttributeChange.times(T + 15, T + 987_654_321));
        e.setattr(v, a.ino("oldlink"), AttributeChange.times(T + 16, T + 5));
        // set-uid/set-gid/sticky on objects not owned by root, new and existing
        a.write("suid", "s");
        e.setattr(v, a.ino("suid"), AttributeChange.owner(1000, 1000));
        e.setattr(v, a.ino("suid"), AttributeChange.perm(04755));
        a.write("sgid", "g");
        e.setattr(v, a.ino("sgid"), AttributeChange.owner(1001, 100));
        e.setattr(v, a.ino("sgid"), AttributeChange.perm(02755));
        a.mkdir("sticky");
        e.setattr(v, a.ino("sticky"), AttributeChange.owner(1000, 1000));
        e.setattr(v, a.ino("sticky"), AttributeChange.perm(01777));
        e.setattr(v, a.ino("old.txt"), AttributeChange.owner(1000, 1000));
        e.setattr(v, a.ino("old.txt"), AttributeChange.perm(06755));
        // xattrs: removed, added, on new files and directories
        e.removexattr(v, a.ino("old.txt"), "user.drop");
        e.setxattr(v, a.ino("old.txt"), "user.new", b("n"), 0);
        a.write("x", "x");
        byte[] big = new byte[3000];
        Arrays.fill(big, (byte) 'v');
        e.setxattr(v, a.ino("x"), "user.a", big, 0);
        e.setxattr(v, a.ino("dir"), "user.dirx", b("d"), 0);
        // hard-link groups: new, and an existing file gaining a name
        a.write("h1", "hard");
        e.link(v, a.ino("h1"), a.ino("dir"), b("h2"));
        e.link(v, a.ino("old.txt"), a.ino("dir"), b("old-link"));
        e.setattr(v, a.ino("h1"), AttributeChange.times(T + 17, T + 7));
        e.setattr(v, a.ino("x"), AttributeChange.times(T + 18, T + 8));
        e.publish(v, false);

        FlushResult r = flush();
        assertFalse(r.nothingToDo());
        assertFaithful(backing);
        assertTrue(Files.isRegularFile(backing.resolve("dir/old-link"), LinkOption.NOFOLLOW_LINKS));

        // a second round changes only existing objects in place (the metadata steps, no staging)
        e.setattr(v, a.ino("fifo"), AttributeChange.perm(0600));
        e.setattr(v, a.ino("fifo"), AttributeChange.times(T + 21, T + 31));
        e.setattr(v, a.ino("dev"), AttributeChange.owner(1002, 1003));
        e.setattr(v, a.ino("dev"), AttributeChange.times(T + 22, T + 32));
        e.setattr(v, a.ino("link"), AttributeChange.times(T + 23, T + 33));
        e.setattr(v, a.ino("suid"), AttributeChange.owner(1004, 1004));
        e.setattr(v, a.ino("suid"), AttributeChange.perm(06711));
        e.removexattr(v, a.ino("x"), "user.a");
        e.unlink(v, a.ino("dir"), b("h2"));
        e.publish(v, false);
        flush();
        assertFaithful(backing);
    }

    /** A value ext4 cannot hold (its xattrs share one 4 KiB block): the engine takes up to 64 KiB. */
    @Test
    void aValueTheBackingRefusesFailsTheFlushAndLeavesItPending() throws Exception {
        Path backing = backingOn("ext4");
        Path probe = Files.createFile(tmp.resolve("probe"));
        byte[] big = new byte[65536];
        Arrays.fill(big, (byte) 'x');
        if (LibC.INSTANCE.lsetxattr(c(probe), RawPaths.cString(b("user.big")), big, big.length, 0) == 0) {
            System.err.println(
                    "SKIPPED LOUDLY: " + Files.getFileStore(tmp).type() + " here holds a 64 KiB xattr value");
            Assumptions.abort("the temp dir's filesystem holds 64 KiB xattr values");
        }
        Files.writeString(backing.resolve("kept.txt"), "kept");
        Files.writeString(backing.resolve("kept2.txt"), "kept too");
        mknod(backing.resolve("oldfifo"), 0010644, 0);
        open(backing);
        TestFs a = new TestFs(engine, engine.createView("a", Isolation.SNAPSHOT, 0));
        Engine e = engine;
        View v = a.view;
        TreeMap<String, String> before = FaithfulTrees.ofDisk(backing);
        long flushedBefore = e.flushedVersion();

        // other changes of every kind that must not land either
        a.write("kept.txt", "changed in place");
        e.setattr(v, a.ino("oldfifo"), AttributeChange.perm(0600));
        a.mkdir("newdir");
        a.write("newdir/file", "new");
        a.write("huge", "content");
        e.setxattr(v, a.ino("huge"), "user.big", big, 0);
        e.setxattr(v, a.ino("kept.txt"), "user.big2", big, 0);
        // the same metadata as kept.txt: rehearsed once, and still named
        e.setattr(
                v,
                a.ino("kept2.txt"),
                AttributeChange.times(
                        e.getattr(v, a.ino("kept.txt")).atimeNs(),
                        e.getattr(v, a.ino("kept.txt")).mtimeNs()));
        e.setxattr(v, a.ino("kept2.txt"), "user.big2", big, 0);
        long published = e.publish(v, false).version();

        FsException ex = assertThrows(FsException.class, this::flush);
        assertEquals(Errno.EIO, ex.errno());
        assertTrue(ex instanceof FlushRefusedException, ex.toString());
        String msg = ex.getMessage();
        assertTrue(
                msg.contains("/huge:")
                        && msg.contains("/kept.txt:")
                        && msg.contains("/kept2.txt:")
                        && msg.contains("user.big"),
                msg);
        assertTrue(msg.contains("No space left on device") || msg.contains("ENOSPC") || msg.contains("E2BIG"), msg);
        assertEquals(3, ((FlushRefusedException) ex).problems().size(), msg);
        assertEquals(flushedBefore, e.flushedVersion());
        assertEquals(published, e.headVersion());
        assertEquals(before, FaithfulTrees.ofDisk(backing));
        assertTrue(Files.notExists(backing.resolve(EngineConstants.STAGING), LinkOption.NOFOLLOW_LINKS));

        // the cause gone, the same published changes flush
        e.setxattr(v, a.ino("huge"), "user.big", b("small"), 0);
        e.removexattr(v, a.ino("kept.txt"), "user.big2");
        e.removexattr(v, a.ino("kept2.txt"), "user.big2");
        e.publish(v, false);
        FlushResult r = flush();
        assertFalse(r.nothingToDo());
        assertEquals(e.headVersion(), e.flushedVersion());
        assertFaithful(backing);
        assertEquals("changed in place", Files.readString(backing.resolve("kept.txt"), StandardCharsets.UTF_8));
    }

    /**
     * A step that fails after the plan was committed (here: an injected failure between two steps) cannot
     * be undone: the flush fails with EIO saying so, publish refuses while the plan is pending (it owns the
     * next version number), and the next flush completes the plan: BACKING is then the published state.
     */
    @Test
    void aStepFailingAfterThePlanLeavesItForTheNextFlush() throws Exception {
        Path backing = backingOn("ext4");
        Files.writeString(backing.resolve("a.txt"), "a");
        int[] failures = {1};
        this.backing = backing;
        engine = Engine.open(EngineConfig.rocks(backing, tmp.resolve("state")).withFaults(point -> {
            if (point.equals(FaultPoint.FLUSH_APPLY_STEP) && failures[0]-- > 0)
                throw new IllegalStateException("injected I/O failure");
        }));
        TestFs a = new TestFs(engine, engine.createView("a", Isolation.SNAPSHOT, 0));
        a.write("a.txt", "changed");
        a.write("b.txt", "new");
        engine.setattr(a.view, a.ino("b.txt"), AttributeChange.perm(0600));
        engine.publish(a.view, false);
        long flushed = engine.flushedVersion();

        FsException ex = assertThrows(FsException.class, this::flush);
        assertEquals(Errno.EIO, ex.errno());
        assertTrue(
                ex.getMessage().contains("stopped after its plan was committed")
                        && ex.getMessage().contains("injected"),
                ex.getMessage());
        assertEquals(flushed, engine.flushedVersion());
        a.write("c.txt", "later");
        FsException refused = assertThrows(FsException.class, () -> engine.publish(a.view, false));
        assertEquals(Errno.EIO, refused.errno());

        FlushResult completed = flush();
        assertFalse(completed.nothingToDo(), "the flush that completed the plan says so");
        assertEquals(engine.headVersion(), engine.flushedVersion());
        assertEquals(completed.flushedVersion(), engine.flushedVersion());
        assertTrue(engine.flushedVersion() > flushed);
        assertFaithful(backing);
        assertEquals("changed", Files.readString(backing.resolve("a.txt")));
        engine.publish(a.view, false);
        flush();
        assertFaithful(backing);
        assertEquals("later", Files.readString(backing.resolve("c.txt")));
    }
}
