package io.txfs.core;

import static io.txfs.core.TestFs.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.format.Keys;
import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FlushResult;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.LogEntry;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.model.PublishResult;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.store.Batch;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.KvIterator;
import io.txfs.core.tree.View;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.RawPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** POSIX behaviour, isolation, publish, flush and restart, run against each store. */
abstract class EngineContractTest {
    @TempDir
    Path tmp;

    Path backing;
    Engine engine;
    TestFs a;
    TestFs bView;

    abstract Engine open(Path backing, Path state);

    /** Closes and opens the engine again on the same state. */
    abstract Engine reopen(Engine old, Path backing, Path state);

    @BeforeEach
    void setUp() throws IOException {
        backing = Files.createDirectories(tmp.resolve("backing"));
        Files.writeString(backing.resolve("hello.txt"), "hello world");
        Files.createDirectories(backing.resolve("dir/sub"));
        Files.writeString(backing.resolve("dir/a.txt"), "A");
        Files.writeString(backing.resolve("dir/sub/deep.txt"), "deep");
        engine = open(backing, tmp.resolve("state"));
        a = new TestFs(engine, engine.createView("a", Isolation.SNAPSHOT, 0));
        bView = new TestFs(engine, engine.createView("b", Isolation.SNAPSHOT, 0));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    static void assertErrno(Errno want, Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(want, e.errno(), e.getMessage());
    }

    TestFs published() {
        return new TestFs(engine, engine.published());
    }

    void restart() {
        engine = reopen(engine, backing, tmp.resolve("state"));
        a = new TestFs(engine, engine.view("a"));
        bView = new TestFs(engine, engine.view("b"));
    }

    // ------------------------------------------------------------ basic tree operations

    @Test
    void readsBackingFilesThroughAView() {
        assertEquals("hello world", a.read("hello.txt"));
        assertEquals(List.of("dir", "hello.txt"), a.ls(""));
        assertEquals(List.of("a.txt", "sub"), a.ls("dir"));
        assertEquals("deep", a.read("dir/sub/deep.txt"));
        assertEquals(FileType.DIRECTORY, a.stat("dir").type());
    }

    @Test
    void createWriteReadAndSortedReaddir() {
        a.write("zeta", "z");
        a.write("alpha", "a");
        a.mkdir("Beta");
        a.write("Beta/x", "123");
        assertEquals(List.of("Beta", "alpha", "dir", "hello.txt", "zeta"), a.ls(""));
        assertEquals("123", a.read("Beta/x"));
        assertEquals(3, a.stat("Beta/x").size());
    }

    @Test
    void writesAtOffsetsAppendsAndHoles() {
        a.write("f", "0123456789");
        long ino = a.ino("f");
        engine.write(a.view, ino, 5, b("xy"));
        assertEquals("01234xy789", a.read("f"));
        engine.write(a.view, ino, 10, b("END"));
        assertEquals("01234xy789END", a.read("f"));
        engine.write(a.view, ino, 3 * Engine.CHUNK + 7, b("far"));
        NodeAttributes at = engine.getattr(a.view, ino);
        assertEquals(3L * Engine.CHUNK + 10, at.size());
        byte[] hole = engine.read(a.view, ino, 100, Engine.CHUNK);
        for (byte x : hole) assertEquals(0, x);
        assertEquals("far", new String(engine.read(a.view, ino, 3L * Engine.CHUNK + 7, 10), StandardCharsets.UTF_8));
        byte[] across = engine.read(a.view, ino, 0, 13);
        assertEquals("01234xy789END", new String(across, StandardCharsets.UTF_8));
    }

    @Test
    void truncateShrinksAndGrowsWithZeros() {
        byte[] big = new byte[Engine.CHUNK * 2 + 100];
        Arrays.fill(big, (byte) 7);
        a.write("t", big);
        long ino = a.ino("t");
        engine.setattr(a.view, ino, AttributeChange.size(10));
        engine.setattr(a.view, ino, AttributeChange.size(Engine.CHUNK * 2L));
        byte[] got = engine.read(a.view, ino, 0, Engine.CHUNK * 2);
        for (int i = 0; i < got.length; i++) assertEquals(i < 10 ? 7 : 0, got[i], "byte " + i);
    }

    @Test
    void truncateOfBackingFileThenGrowShowsZeros() {
        long ino = a.ino("hello.txt");
        engine.setattr(a.view, ino, AttributeChange.size(5));
        engine.setattr(a.view, ino, AttributeChange.size(8));
        assertArrayEquals(b("hello\0\0\0"), a.readBytes("hello.txt"));
    }

    @Test
    void copyOnWriteOfABackingFileStoresAChunkAndLeavesBackingAlone() throws IOException {
        byte[] data = new byte[Engine.CHUNK * 4];
        new Random(1).nextBytes(data);
        Files.write(backing.resolve("large.bin"), data);
        long ino = a.ino("large.bin");
        engine.write(a.view, ino, Engine.CHUNK + 5, new byte[] {42});
        byte[] seen = a.readBytes("large.bin");
        byte[] want = data.clone();
        want[Engine.CHUNK + 5] = 42;
        assertArrayEquals(want, seen);
        assertArrayEquals(data, Files.readAllBytes(backing.resolve("large.bin")));
        assertArrayEquals(data, bView.readBytes("large.bin"));
    }

    @Test
    void errorCases() {
        assertErrno(Errno.ENOENT, () -> a.ino("nope"));
        assertErrno(Errno.EEXIST, () -> engine.create(a.view, Engine.ROOT, b("hello.txt"), 0644, Caller.ROOT));
        assertErrno(Errno.EEXIST, () -> a.mkdir("dir"));
        assertErrno(Errno.ENOTEMPTY, () -> a.rmdir("dir"));
        assertErrno(Errno.EISDIR, () -> a.rm("dir"));
        assertErrno(Errno.ENOTDIR, () -> a.rmdir("hello.txt"));
        assertErrno(Errno.ENOTDIR, () -> engine.lookup(a.view, a.ino("hello.txt"), b("x")));
        assertErrno(Errno.EINVAL, () -> a.mv("dir", "dir/sub/inside"));
        assertErrno(Errno.EINVAL, () -> a.mv("dir", "dir/inside"));
        byte[] longName = new byte[256];
        Arrays.fill(longName, (byte) 'n');
        assertErrno(Errno.ENAMETOOLONG, () -> engine.create(a.view, Engine.ROOT, longName, 0644, Caller.ROOT));
        assertErrno(Errno.EINVAL, () -> engine.create(a.view, Engine.ROOT, b("a/b"), 0644, Caller.ROOT));
        assertErrno(Errno.EINVAL, () -> engine.create(a.view, Engine.ROOT, new byte[] {'a', 0}, 0644, Caller.ROOT));
        assertErrno(Errno.EFBIG, () -> engine.write(a.view, a.ino("hello.txt"), Engine.MAX_FILE_SIZE, b("x")));
        assertErrno(
                Errno.EFBIG,
                () -> engine.setattr(a.view, a.ino("hello.txt"), AttributeChange.size(Engine.MAX_FILE_SIZE + 1)));
        assertErrno(Errno.EISDIR, () -> engine.read(a.view, a.ino("dir"), 0, 1));
        assertErrno(Errno.EISDIR, () -> engine.open(a.view, a.ino("dir"), true, false));
        assertErrno(Errno.EPERM, () -> engine.link(a.view, a.ino("dir"), Engine.ROOT, b("dirlink")));
        assertErrno(Errno.EINVAL, () -> engine.rmdir(a.view, a.ino("dir"), b(".")));
        assertErrno(Errno.EEXIST, () -> engine.mkdir(a.view, Engine.ROOT, b(".."), 0755, Caller.ROOT));
        assertErrno(Errno.EROFS, () -> engine.create(engine.published(), Engine.ROOT, b("x"), 0644, Caller.ROOT));
        engine.mkdir(a.view, Engine.ROOT, b("empty"), 0755, Caller.ROOT);
        a.rmdir("empty");
        assertFalse(a.exists("empty"));
        assertEquals(List.of(), engine.pendingDelta(bView.view));
    }

    @Test
    void reservedControlDirectoryAtTheRoot() {
        assertErrno(Errno.EPERM, () -> engine.create(a.view, Engine.ROOT, b(".txfs"), 0644, Caller.ROOT));
        assertErrno(Errno.EPERM, () -> engine.mkdir(a.view, Engine.ROOT, b(".txfs"), 0755, Caller.ROOT));
        assertErrno(Errno.EPERM, () -> a.mv("hello.txt", ".txfs"));
        assertErrno(Errno.EPERM, () -> engine.symlink(a.view, Engine.ROOT, b(".txfs"), b("x"), Caller.ROOT));
        a.write("dir/.txfs", "allowed below the root");
        assertEquals("allowed below the root", a.read("dir/.txfs"));
    }

    @Test
    void reservedNameInBackingIsNeverImported() throws IOException {
        Path other = Files.createDirectories(tmp.resolve("b2"));
        Files.createDirectories(other.resolve(".txfs"));
        Files.writeString(other.resolve("x"), "x");
        engine.close();
        engine = open(other, tmp.resolve("state2"));
        View v = engine.createView("v", Isolation.SNAPSHOT, 0);
        assertEquals(List.of("x"), new TestFs(engine, v).ls(""));
        a = new TestFs(engine, engine.createView("a", Isolation.SNAPSHOT, 0));
    }

    @Test
    void renameVariants() {
        a.write("x", "X");
        a.write("y", "Y");
        a.mkdir("d1");
        a.mkdir("d2");
        a.write("d2/inner", "i");
        assertErrno(
                Errno.EEXIST,
                () -> engine.rename(a.view, Engine.ROOT, b("x"), Engine.ROOT, b("y"), Engine.RENAME_NOREPLACE));
        engine.rename(a.view, Engine.ROOT, b("x"), Engine.ROOT, b("y"), Engine.RENAME_EXCHANGE);
        assertEquals("Y", a.read("x"));
        assertEquals("X", a.read("y"));
        assertErrno(
                Errno.ENOENT,
                () -> engine.rename(a.view, Engine.ROOT, b("x"), Engine.ROOT, b("nx"), Engine.RENAME_EXCHANGE));
        assertErrno(Errno.EISDIR, () -> a.mv("x", "d1"));
        assertErrno(Errno.ENOTDIR, () -> a.mv("d1", "x"));
        assertErrno(Errno.ENOTEMPTY, () -> a.mv("d1", "d2"));
        long xIno = a.ino("x");
        a.mv("x", "y");
        assertEquals(xIno, a.ino("y"));
        assertEquals("Y", a.read("y"));
        assertFalse(a.exists("x"));
        long d2 = a.ino("d2");
        a.mv("d2", "d1");
        assertEquals(d2, a.ino("d1"));
        assertEquals("i", a.read("d1/inner"));
        a.mv("dir", "d1/moved");
        assertEquals("deep", a.read("d1/moved/sub/deep.txt"));
        engine.rename(a.view, a.ino("d1"), b("moved"), Engine.ROOT, b("hello.txt"), Engine.RENAME_EXCHANGE);
        assertEquals(FileType.DIRECTORY, a.stat("hello.txt").type());
        assertEquals("hello world", a.read("d1/moved"));
        assertEquals("hello world", bView.read("hello.txt"));
    }

    @Test
    void hardLinksShareInodeAndCountAcrossCopyUp() {
        long ino = a.ino("hello.txt");
        NodeAttributes l = engine.link(a.view, ino, a.ino("dir"), b("link"));
        assertEquals(ino, l.ino());
        assertEquals(2, a.stat("hello.txt").nlink());
        engine.write(a.view, a.ino("dir/link"), 0, b("HELLO"));
        assertEquals("HELLO world", a.read("hello.txt"));
        a.rm("hello.txt");
        assertEquals(1, a.stat("dir/link").nlink());
        assertEquals("HELLO world", a.read("dir/link"));
    }

    @Test
    void backingHardLinksAreOneNode() throws IOException {
        Files.createLink(backing.resolve("dir/hard"), backing.resolve("hello.txt"));
        engine = reopenFresh();
        TestFs v = new TestFs(engine, engine.createView("v", Isolation.SNAPSHOT, 0));
        assertEquals(v.ino("hello.txt"), v.ino("dir/hard"));
        engine.write(v.view, v.ino("dir/hard"), 0, b("J"));
        assertEquals("Jello world", v.read("hello.txt"));
    }

    Engine reopenFresh() {
        engine.close();
        Engine e = open(backing, tmp.resolve("state-fresh-" + System.nanoTime()));
        a = new TestFs(e, e.createView("a", Isolation.SNAPSHOT, 0));
        return e;
    }

    @Test
    void symlinksAndSpecialFiles() {
        engine.symlink(a.view, Engine.ROOT, b("ln"), b("hello.txt"), Caller.ROOT);
        assertEquals("hello.txt", new String(engine.readlink(a.view, a.ino("ln")), StandardCharsets.UTF_8));
        assertEquals(FileType.SYMLINK, a.stat("ln").type());
        NodeAttributes f = engine.mknod(a.view, Engine.ROOT, b("fifo"), FileType.FIFO, 0600, 0, new Caller(5, 6));
        assertEquals(FileType.FIFO, f.type());
        assertEquals(5, f.uid());
        assertEquals(6, f.gid());
        assertErrno(Errno.EINVAL, () -> engine.readlink(a.view, a.ino("fifo")));
    }

    @Test
    void attributesAndXattrs() {
        long ino = a.ino("hello.txt");
        engine.setattr(a.view, ino, AttributeChange.perm(0600));
        engine.setattr(a.view, ino, AttributeChange.owner(12, 34));
        engine.setattr(a.view, ino, AttributeChange.times(1_000L, 2_000L));
        NodeAttributes at = a.stat("hello.txt");
        assertEquals(0600, at.perm());
        assertEquals(12, at.uid());
        assertEquals(2_000L, at.mtimeNs());
        assertEquals(0100600, at.stMode());
        engine.setxattr(a.view, ino, "user.k", b("v"), Engine.XATTR_CREATE);
        assertErrno(Errno.EEXIST, () -> engine.setxattr(a.view, ino, "user.k", b("v2"), Engine.XATTR_CREATE));
        assertErrno(Errno.ENODATA, () -> engine.setxattr(a.view, ino, "user.none", b("v2"), Engine.XATTR_REPLACE));
        engine.setxattr(a.view, ino, "user.k", b("v2"), Engine.XATTR_REPLACE);
        assertArrayEquals(b("v2"), engine.getxattr(a.view, ino, "user.k"));
        assertEquals(List.of("user.k"), engine.listxattr(a.view, ino));
        engine.removexattr(a.view, ino, "user.k");
        assertErrno(Errno.ENODATA, () -> engine.getxattr(a.view, ino, "user.k"));
        assertErrno(Errno.ENODATA, () -> engine.removexattr(a.view, ino, "user.k"));
        assertEquals(0644, bView.stat("hello.txt").perm() & 0777);
    }

    /**
     * The buffer read (FUSE replies) gives what the array read gives, from every kind of source — a backing
     * file, an inline first chunk, a data-file chunk cut short, holes, a size extended by truncate — and
     * writes every byte it counts into a buffer full of garbage, nothing beyond.
     */
    @Test
    void readsIntoABufferMatchArrayReadsOverEveryKindOfSource() {
        int c = Engine.CHUNK;
        long sparse = engine.create(a.view, Engine.ROOT, b("sparse"), 0644, Caller.ROOT)
                .ino();
        engine.write(a.view, sparse, 10, b("head"));
        engine.write(a.view, sparse, 2L * c + 5, b("third chunk"));
        engine.setattr(a.view, sparse, AttributeChange.size(4L * c + 123));
        long patched = a.ino("hello.txt"); // a backing file, one chunk of it rewritten in the view
        engine.write(a.view, patched, 6, b("W"));
        long backing = bView.ino("hello.txt");
        long[][] files = {{sparse, 4L * c + 123}, {patched, 11}, {backing, 11}};
        for (long[] f : files) {
            for (long off : new long[] {0, 3, 10, c - 2, c, 2L * c + 1, 4L * c + 100, 4L * c + 123, 5L * c}) {
                for (int len : new int[] {1, 7, c, 3 * c + 9, 5 * c}) {
                    View view = f[0] == backing ? bView.view : a.view;
                    byte[] want = engine.read(view, f[0], off, len);
                    ByteBuffer got = ByteBuffer.allocateDirect(len + 16);
                    while (got.hasRemaining()) got.put((byte) 0x5A);
                    got.position(8).limit(8 + len);
                    int n = engine.read(view, f[0], off, got);
                    String at = "file " + f[0] + " offset " + off + " length " + len;
                    assertEquals(want.length, n, at);
                    assertEquals(8 + n, got.position(), at);
                    byte[] put = new byte[n];
                    got.get(8, put);
                    assertArrayEquals(want, put, at);
                    got.limit(got.capacity());
                    for (int i = 0; i < 8; i++) {
                        assertEquals((byte) 0x5A, got.get(i), at + ": byte " + i + " before the read was written");
                    }
                    for (int i = 8 + n; i < got.capacity(); i++) {
                        assertEquals((byte) 0x5A, got.get(i), at + ": byte " + i + " beyond the read was written");
                    }
                }
            }
        }
    }

    /** A reused buffer: only its first length bytes are written, and it may change right after the call. */
    @Test
    void aWriteOfPartOfABufferWritesThatPartOnly() {
        int c = Engine.CHUNK;
        long ino =
                engine.create(a.view, Engine.ROOT, b("part"), 0644, Caller.ROOT).ino();
        byte[] buf = new byte[3 * c];
        Arrays.fill(buf, (byte) 'x');
        assertEquals(c + 10, engine.write(a.view, ino, 5, buf, c + 10));
        Arrays.fill(buf, (byte) 'y'); // the engine kept nothing of it
        assertEquals(5 + c + 10, engine.getattr(a.view, ino).size());
        byte[] back = engine.read(a.view, ino, 0, 3 * c);
        assertEquals(5 + c + 10, back.length);
        for (int i = 5; i < back.length; i++) assertEquals((byte) 'x', back[i], "byte " + i);
        assertErrno(Errno.EINVAL, () -> engine.write(a.view, ino, 0, buf, 3 * c + 1));
        assertErrno(Errno.EINVAL, () -> engine.write(a.view, ino, 0, buf, -1));
    }

    @Test
    void aWriteDropsFileCapabilitiesAndKeepsOtherXattrs() {
        long ino = a.ino("hello.txt");
        engine.setxattr(a.view, ino, "security.capability", b("caps"), 0);
        engine.setxattr(a.view, ino, "user.k", b("v"), 0);
        engine.write(a.view, ino, 0, b("H"));
        assertErrno(Errno.ENODATA, () -> engine.getxattr(a.view, ino, "security.capability"));
        assertArrayEquals(b("v"), engine.getxattr(a.view, ino, "user.k"));
        assertEquals("Hello world", new String(engine.read(a.view, ino, 0, 100), StandardCharsets.UTF_8));
    }

    @Test
    void openFileSurvivesUnlink() {
        a.write("tmpfile", "still here");
        long ino = a.ino("tmpfile");
        a.rm("tmpfile");
        assertEquals("still here", new String(engine.read(a.view, ino, 0, 100), StandardCharsets.UTF_8));
        assertEquals(0, engine.getattr(a.view, ino).nlink());
    }

    // ------------------------------------------------------------ isolation and publish

    @Test
    void pendingChangesAreInvisibleToOtherViews() {
        a.write("new", "n");
        a.write("hello.txt", "changed");
        a.rm("dir/a.txt");
        assertFalse(bView.exists("new"));
        assertEquals("hello world", bView.read("hello.txt"));
        assertTrue(bView.exists("dir/a.txt"));
        assertFalse(published().exists("new"));
    }

    @Test
    void publishIsVisibleToReadCommittedAtOnceAndToSnapshotAfterItsOwnPublish() {
        TestFs rc = new TestFs(engine, engine.createView("rc", Isolation.READ_COMMITTED, 0));
        assertEquals("hello world", bView.read("hello.txt"));
        a.write("hello.txt", "v2");
        a.write("added", "+");
        PublishResult r = engine.publish(a.view, false);
        assertEquals(1, r.version());
        assertTrue(r.visibleChanges().containsKey("rc"));
        assertTrue(r.visibleChanges().get("rc").inodes().contains(a.ino("hello.txt")));
        assertEquals("v2", rc.read("hello.txt"));
        assertEquals("v2", published().read("hello.txt"));
        assertEquals("hello world", bView.read("hello.txt"));
        assertFalse(bView.exists("added"));
        bView.write("mine", "m");
        PublishResult rb = engine.publish(bView.view, false);
        assertTrue(rb.visibleChanges().containsKey("b"), "snapshot view learns what it now sees");
        assertEquals("v2", bView.read("hello.txt"));
        assertTrue(bView.exists("added"));
        assertEquals("m", a.read("hello.txt").equals("v2") ? "m" : "x");
        assertFalse(a.exists("mine"), "a keeps its snapshot");
        assertEquals(List.of(), engine.pendingDelta(a.view));
    }

    @Test
    void firstCommitterWinsAndForceOverrides() {
        a.write("hello.txt", "from a");
        bView.write("hello.txt", "from b");
        engine.publish(a.view, false);
        PublishConflictException c =
                assertThrows(PublishConflictException.class, () -> engine.publish(bView.view, false));
        assertEquals(Errno.EBUSY, c.errno());
        assertEquals(List.of("/hello.txt"), c.paths());
        assertEquals("from b", bView.read("hello.txt"), "view intact after a conflict");
        engine.publish(bView.view, true);
        assertEquals("from b", published().read("hello.txt"));
    }

    @Test
    void independentChangesInOneDirectoryDoNotConflict() {
        a.write("dir/one", "1");
        bView.write("dir/two", "2");
        engine.publish(a.view, false);
        engine.publish(bView.view, false);
        assertEquals(List.of("a.txt", "one", "sub", "two"), published().ls("dir"));
    }

    @Test
    void createInsideADirectoryDeletedByAnotherConflicts() {
        a.rm("dir/sub/deep.txt");
        a.rmdir("dir/sub");
        bView.write("dir/sub/new", "n");
        engine.publish(a.view, false);
        PublishConflictException c =
                assertThrows(PublishConflictException.class, () -> engine.publish(bView.view, false));
        assertTrue(c.paths().contains("/dir/sub"), c.paths().toString());
    }

    /** Conflicts name paths from the mount root even when the view removed the path (it used to say "?/deep.txt"). */
    @Test
    void aConflictOnAPathTheViewRemovedIsNamedByItsFullPath() {
        a.rm("dir/sub/deep.txt");
        a.rmdir("dir/sub");
        bView.write("dir/sub/deep.txt", "changed");
        engine.publish(bView.view, false);
        PublishConflictException c = assertThrows(PublishConflictException.class, () -> engine.publish(a.view, false));
        assertTrue(c.paths().contains("/dir/sub/deep.txt"), c.paths().toString());
        assertTrue(
                c.paths().stream().allMatch(p -> p.startsWith("/") && !p.contains("?")),
                c.paths().toString());
    }

    /** Both views removed the file: the same final entry (none), so no conflict (docs/reproducibility.md). */
    @Test
    void aFileBothViewsRemovedIsNoConflict() {
        a.rm("hello.txt");
        bView.rm("hello.txt");
        engine.publish(bView.view, false);
        engine.publish(a.view, false);
        assertFalse(new TestFs(engine, engine.published()).exists("hello.txt"));
    }

    /**
     * A node the view removed has no path in the view: the conflict names it where the newest published
     * state has it (it used to say "?node-N").
     */
    @Test
    void aConflictOnAFileTheViewRemovedIsNamedWhereOthersPutIt() {
        a.rm("hello.txt");
        bView.mv("hello.txt", "moved.txt");
        engine.publish(bView.view, false);
        PublishConflictException c = assertThrows(PublishConflictException.class, () -> engine.publish(a.view, false));
        assertEquals(List.of("/moved.txt"), c.paths());
    }

    @Test
    void deletingADirectoryAnotherCreatedInConflicts() {
        bView.write("dir/sub/new", "n");
        engine.publish(bView.view, false);
        a.rm("dir/sub/deep.txt");
        a.rmdir("dir/sub");
        assertThrows(PublishConflictException.class, () -> engine.publish(a.view, false));
    }

    @Test
    void renameSourceChangedByAnotherConflicts() {
        a.mv("dir/a.txt", "dir/renamed.txt");
        bView.write("dir/a.txt", "changed");
        engine.publish(bView.view, false);
        PublishConflictException c = assertThrows(PublishConflictException.class, () -> engine.publish(a.view, false));
        assertFalse(c.paths().isEmpty());
    }

    @Test
    void abortDiscardsPendingAndListsWhatToInvalidate() {
        a.write("gone", "g");
        ChangeSet cs = engine.abort(a.view);
        assertFalse(cs.isEmpty());
        assertFalse(a.exists("gone"));
        assertEquals(List.of(), engine.pendingDelta(a.view));
        engine.discard(bView.view);
        assertErrno(Errno.ENOENT, () -> engine.view("b"));
    }

    @Test
    void publishLogAndCounts() {
        a.write("p1", "12345");
        a.write("p2", "678");
        PublishResult r = engine.publish(a.view, false);
        assertEquals(2, r.changedPaths());
        assertEquals(8, r.bytes());
        List<LogEntry> log = engine.log();
        assertEquals(1, log.size());
        assertEquals("publish", log.get(0).kind());
        assertEquals("a", log.get(0).view());
        assertEquals(2, log.get(0).paths());
    }

    @Test
    void pendingDeltaKinds() {
        a.write("added.txt", "new");
        a.write("hello.txt", "modified");
        a.rm("dir/a.txt");
        engine.setattr(a.view, a.ino("dir/sub/deep.txt"), AttributeChange.perm(0600));
        a.rm("dir/sub/deep.txt");
        a.rmdir("dir/sub");
        a.write("dir/sub", "now a file");
        Map<String, DeltaEntry.Kind> got = new TreeMap<>();
        for (DeltaEntry d : engine.pendingDelta(a.view)) got.put(d.path(), d.kind());
        assertEquals(DeltaEntry.Kind.ADDED, got.get("added.txt"));
        assertEquals(DeltaEntry.Kind.MODIFIED, got.get("hello.txt"));
        assertEquals(DeltaEntry.Kind.DELETED, got.get("dir/a.txt"));
        assertEquals(DeltaEntry.Kind.TYPE_CHANGED, got.get("dir/sub"));
        assertEquals(DeltaEntry.Kind.DELETED, got.get("dir/sub/deep.txt"));
        a.write("meta", "m");
        engine.publish(a.view, false);
        engine.setattr(a.view, a.ino("meta"), AttributeChange.perm(0700));
        List<DeltaEntry> d = engine.pendingDelta(a.view);
        assertEquals(1, d.size());
        assertEquals(DeltaEntry.Kind.METADATA, d.get(0).kind());
        assertEquals(0700, d.get(0).newPerm());
    }

    // ------------------------------------------------------------ flush

    @Test
    void flushWritesThePublishedStateIntoTheBackingDirectory() throws IOException {
        a.write("hello.txt", "HELLO");
        a.write("dir/new.txt", "new");
        a.mkdir("nd");
        a.mkdir("nd/inner");
        a.write("nd/inner/f", "f");
        a.mv("dir/sub", "nd/moved-sub");
        a.rm("dir/a.txt");
        engine.symlink(a.view, Engine.ROOT, b("sym"), b("hello.txt"), Caller.ROOT);
        engine.link(a.view, a.ino("nd/inner/f"), a.ino("nd"), b("f-link"));
        byte[] sparse = new byte[10];
        long ino = engine.create(a.view, Engine.ROOT, b("sparse"), 0644, Caller.ROOT)
                .ino();
        engine.write(a.view, ino, 3L * Engine.CHUNK, sparse);
        engine.publish(a.view, false);
        TreeMap<String, String> want = Trees.ofView(engine, engine.published());
        FlushResult fr = engine.flush();
        assertEquals(engine.flushedVersion(), fr.flushedVersion());
        assertEquals(want, Trees.ofDisk(backing));
        assertEquals(want, Trees.ofView(engine, engine.published()));
        assertEquals(want, Trees.ofView(engine, a.view));
        assertEquals(
                Files.getAttribute(backing.resolve("nd/inner/f"), "unix:ino"),
                Files.getAttribute(backing.resolve("nd/f-link"), "unix:ino"));
        assertEquals(3L * Engine.CHUNK + 10, Files.size(backing.resolve("sparse")));
        assertTrue(engine.flush().nothingToDo());
        assertEquals("flush", engine.log().get(engine.log().size() - 1).kind());
    }

    @Test
    void flushThenMoreChangesThenFlushAgain() throws IOException {
        a.write("hello.txt", "one");
        a.mv("dir", "dir2");
        engine.publish(a.view, false);
        engine.flush();
        a.write("dir2/sub/deep.txt", "DEEPER");
        engine.write(a.view, a.ino("hello.txt"), 3, b("+two"));
        a.mv("dir2/sub", "sub-top");
        engine.publish(a.view, false);
        engine.flush();
        assertEquals(Trees.ofView(engine, engine.published()), Trees.ofDisk(backing));
        assertEquals("one+two", Files.readString(backing.resolve("hello.txt")));
        assertEquals("DEEPER", Files.readString(backing.resolve("sub-top/deep.txt")));
    }

    @Test
    void flushAppliesModeTimesAndUserXattrs() throws IOException {
        long hello = a.ino("hello.txt");
        engine.setattr(a.view, hello, AttributeChange.perm(0600));
        engine.setattr(a.view, hello, AttributeChange.times(1_000_000_000L, 2_000_000_007L));
        engine.setxattr(a.view, hello, "user.color", b("blue"), 0);
        long fresh = engine.create(a.view, Engine.ROOT, b("fresh"), 0640, Caller.ROOT)
                .ino();
        engine.setxattr(a.view, fresh, "user.k", b("v"), 0);
        engine.publish(a.view, false);
        engine.flush();
        Path h = backing.resolve("hello.txt");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(h)));
        assertEquals(2_000_000_007L, Files.getLastModifiedTime(h).to(TimeUnit.NANOSECONDS));
        assertEquals("hello world", Files.readString(h));
        var xv = Files.getFileAttributeView(h, UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(16);
        xv.read("color", buf);
        assertEquals("blue", new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        assertEquals(
                "rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(backing.resolve("fresh"))));
        assertEquals(
                List.of("k"),
                Files.getFileAttributeView(backing.resolve("fresh"), UserDefinedFileAttributeView.class)
                        .list());
        assertArrayEquals(b("blue"), engine.getxattr(engine.published(), hello, "user.color"));
        assertErrno(Errno.ENODATA, () -> engine.getxattr(bView.view, hello, "user.color"));
        assertEquals(0644, bView.stat("hello.txt").perm(), "an older snapshot keeps the old mode after the flush");
    }

    @Test
    void userXattrsOfBackingFilesAndDirectoriesAreListedWithThem() throws Exception {
        Path f = Files.writeString(backing.resolve("tagged.txt"), "t");
        Path d = Files.createDirectories(backing.resolve("tagged-dir"));
        for (Path p : List.of(f, d)) {
            var xv = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
            xv.write("origin", ByteBuffer.wrap(b("backing " + p.getFileName())));
            xv.write("empty", ByteBuffer.allocate(0));
        }
        // trusted.* (settable by root only; a no-op otherwise) is not a user attribute: never imported
        LibC.INSTANCE.lsetxattr(
                RawPaths.cString(f.toString().getBytes(StandardCharsets.UTF_8)),
                RawPaths.cString(b("trusted.hidden")),
                b("x"),
                1,
                0);
        assertArrayEquals(b("backing tagged.txt"), engine.getxattr(a.view, a.ino("tagged.txt"), "user.origin"));
        assertArrayEquals(b("backing tagged-dir"), engine.getxattr(a.view, a.ino("tagged-dir"), "user.origin"));
        assertArrayEquals(new byte[0], engine.getxattr(a.view, a.ino("tagged.txt"), "user.empty"));
        assertEquals(
                List.of("user.empty", "user.origin"),
                new ArrayList<>(new TreeSet<>(engine.listxattr(a.view, a.ino("tagged.txt")))));
    }

    @Test
    void snapshotReadersNeverSeeHalfAPublish() throws Exception {
        for (int i = 0; i < 10; i++) a.write("gen" + i, "0");
        engine.publish(a.view, false);
        View reader = engine.createView("reader", Isolation.SNAPSHOT, 0);
        TestFs r = new TestFs(engine, reader);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                while (!stop.get()) {
                    engine.refresh(reader);
                    String first = r.read("gen0");
                    for (int i = 1; i < 10; i++) assertEquals(first, r.read("gen" + i), "generation of gen" + i);
                    Set<String> names = new HashSet<>(r.ls(""));
                    assertTrue(names.contains("gen9"));
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        try {
            for (int g = 1; g <= 30; g++) {
                for (int i = 0; i < 10; i++) a.write("gen" + i, Integer.toString(g));
                engine.publish(a.view, false);
            }
        } finally {
            stop.set(true);
            t.join(30_000);
        }
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertEquals("30", published().read("gen5"));
    }

    @Test
    void olderSnapshotsKeepTheirContentAfterAFlush() throws IOException {
        TreeMap<String, String> before = Trees.ofView(engine, bView.view);
        a.write("hello.txt", "replaced");
        a.rm("dir/a.txt");
        engine.publish(a.view, false);
        engine.flush();
        assertEquals("replaced", Files.readString(backing.resolve("hello.txt")));
        assertEquals(before, Trees.ofView(engine, bView.view));
        engine.write(bView.view, bView.ino("hello.txt"), 0, b("J"));
        assertEquals("Jello world", bView.read("hello.txt"));
    }

    @Test
    void olderSnapshotsKeepTheirContentWhenAFlushRewritesAFileToTheSameSizeAndMtime() throws IOException {
        // cp -p, tar and rsync restore mtimes: the patched file keeps its inode, size and mtime, so only
        // txfs's own record of which flush wrote the content can tell the snapshot's base from the new file.
        long ino = a.ino("hello.txt");
        long mtime = a.stat("hello.txt").mtimeNs();
        a.write("hello.txt", "HELLO WORLD");
        engine.setattr(a.view, ino, AttributeChange.times(null, mtime));
        engine.publish(a.view, false);
        engine.flush();
        assertEquals("HELLO WORLD", Files.readString(backing.resolve("hello.txt")));
        assertEquals("hello world", bView.read("hello.txt"), "b is still on its old snapshot");
        assertEquals("HELLO WORLD", a.read("hello.txt"));
        engine.flush();
        assertEquals("hello world", bView.read("hello.txt"));
    }

    @Test
    void filesAFlushCreatesOnReusedInodesAreNotMistakenForTheDeletedOnes() throws IOException {
        // The backing filesystem hands a deleted file's inode number to the next new file (ext4 does so
        // most of the time); with the same size and mtime, only the gen tells the two contents apart.
        long mtime = a.stat("hello.txt").mtimeNs();
        List<TestFs> snapshots = new ArrayList<>(List.of(bView));
        List<String> names = new ArrayList<>(List.of("hello.txt"));
        List<String> contents = new ArrayList<>(List.of("hello world"));
        for (int i = 0; i < 6; i++) {
            a.rm(names.get(i));
            engine.publish(a.view, false);
            engine.flush(); // its inode is free; the snapshots that see it read a preserved copy
            String name = "f" + i;
            String content = "content " + i + "xx"; // as long as "hello world"
            a.write(name, content);
            engine.setattr(a.view, a.ino(name), AttributeChange.times(null, mtime));
            engine.publish(a.view, false);
            engine.flush(); // a new file of the same size and mtime, likely on the inode just freed
            snapshots.add(new TestFs(engine, engine.createView("s" + i, Isolation.SNAPSHOT, 0)));
            names.add(name);
            contents.add(content);
        }
        a.rm(names.get(names.size() - 1));
        engine.publish(a.view, false);
        engine.flush();
        for (int i = 0; i < snapshots.size(); i++) {
            assertEquals(contents.get(i), snapshots.get(i).read(names.get(i)), "snapshot " + i);
        }
    }

    @Test
    void preservedCopiesOfAFormatTwoStoreStillServeTheirSnapshots() throws IOException {
        a.write("hello.txt", "replaced!!!");
        engine.publish(a.view, false);
        engine.flush();
        assertEquals("hello world", bView.read("hello.txt"), "served from the preserved copy");
        // rewrite the store as format 2 left it: preserved keys without the gen, format byte 2
        Batch old = new Batch();
        int copies = 0;
        try (KvIterator it = engine.state.store.scan(ColumnFamily.PRESERVED, new byte[0])) {
            for (; it.valid(); it.next()) {
                byte[] k = it.key();
                byte[] k2 = new byte[40];
                System.arraycopy(k, 0, k2, 0, 32);
                System.arraycopy(k, 40, k2, 32, 8);
                old.delete(ColumnFamily.PRESERVED, k).put(ColumnFamily.PRESERVED, k2, it.value());
                copies++;
            }
        }
        assertTrue(copies >= 2, "a marker and a chunk");
        old.put(ColumnFamily.META, Keys.meta("format"), new byte[] {2});
        engine.state.store.write(old, true);
        restart();
        assertEquals("hello world", bView.read("hello.txt"));
        assertEquals("replaced!!!", a.read("hello.txt"));
    }

    @Test
    void pendingCopyUpSurvivesAFlushOfTheSameFile() throws IOException {
        byte[] data = new byte[Engine.CHUNK * 3];
        Arrays.fill(data, (byte) 'x');
        Files.write(backing.resolve("big"), data);
        engine.close();
        engine = open(backing, tmp.resolve("state-b"));
        TestFs v1 = new TestFs(engine, engine.createView("v1", Isolation.SNAPSHOT, 0));
        TestFs v2 = new TestFs(engine, engine.createView("v2", Isolation.SNAPSHOT, 0));
        engine.write(v1.view, v1.ino("big"), 0, b("AAAA"));
        engine.publish(v1.view, false);
        engine.write(v2.view, v2.ino("big"), Engine.CHUNK * 2L, b("BBBB"));
        engine.flush();
        byte[] seen = v2.readBytes("big");
        assertEquals('x', seen[0], "v2 still on its old snapshot");
        assertEquals('B', seen[Engine.CHUNK * 2]);
        assertEquals('x', seen[Engine.CHUNK + 1]);
        a = v1;
        bView = v2;
    }

    @Test
    void outsideChangeToABackingFileIsDetected() throws IOException {
        long ino = a.ino("hello.txt");
        engine.write(a.view, ino, Engine.CHUNK, b("x"));
        Files.writeString(backing.resolve("hello.txt"), "changed behind our back!");
        // taken in as a published change (docs/outside-changes.md); the view's chunk rests on the old
        // content, which is gone: a clear error for that file, never its chunk over the new content
        assertErrno(Errno.ESTALE, () -> engine.read(a.view, ino, 0, 5));
        assertEquals("changed behind our back!", published().read("hello.txt"));
    }

    // ------------------------------------------------------------ restart

    @Test
    void restartKeepsViewsPendingPublishedAndInodeNumbers() {
        a.write("pending.txt", "p");
        long pendingIno = a.ino("pending.txt");
        long helloIno = a.ino("hello.txt");
        bView.write("pub.txt", "published");
        engine.publish(bView.view, false);
        long pubIno = published().ino("pub.txt");
        restart();
        assertEquals("p", a.read("pending.txt"));
        assertEquals(pendingIno, a.ino("pending.txt"));
        assertEquals(helloIno, a.ino("hello.txt"));
        assertEquals(pubIno, published().ino("pub.txt"));
        assertEquals("published", bView.read("pub.txt"));
        assertFalse(a.exists("pub.txt"), "snapshot kept across restart");
        assertEquals(
                List.of("a", "b"),
                engine.listViews().stream().map(ViewInfo::name).toList());
        a.write("after", "restart");
        long afterIno = a.ino("after");
        assertTrue(afterIno != pendingIno && afterIno != pubIno, "ids are never reused");
    }

    // ------------------------------------------------------------ chunks beyond the first (data files)

    private static byte[] pattern(int n, int seed) {
        return CrashScenario.pattern(n, seed);
    }

    private static final int C = Engine.CHUNK;

    @Test
    void multiChunkWritesOverwritesAndHolesReadBackExactly() {
        byte[] want = pattern(4 * C + 123, 1);
        long ino = engine.create(a.view, Engine.ROOT, b("m.bin"), 0644, Caller.ROOT)
                .ino();
        // unaligned pieces: copy-ups, in-place writes into the view's own chunks, one write spanning three chunks
        engine.write(a.view, ino, 0, Arrays.copyOfRange(want, 0, 1000));
        engine.write(a.view, ino, 1000, Arrays.copyOfRange(want, 1000, 3 * C + 7));
        engine.write(a.view, ino, 3 * C + 7, Arrays.copyOfRange(want, 3 * C + 7, want.length));
        byte[] patch = pattern(C + 10, 9);
        engine.write(a.view, ino, C - 5, patch);
        System.arraycopy(patch, 0, want, C - 5, patch.length);
        engine.write(a.view, ino, 2 * C + 100, b("xyz")); // in place, inside an own chunk
        System.arraycopy(b("xyz"), 0, want, 2 * C + 100, 3);
        assertArrayEquals(want, a.readBytes("m.bin"));
        // a hole: chunks 6 and 7 never written read as zeros
        engine.write(a.view, ino, 8L * C + 1, b("end"));
        byte[] holed = Arrays.copyOf(want, 8 * C + 4);
        System.arraycopy(b("end"), 0, holed, 8 * C + 1, 3);
        assertArrayEquals(holed, a.readBytes("m.bin"));
        assertArrayEquals(Arrays.copyOfRange(holed, 2 * C + 90, 2 * C + 120), engine.read(a.view, ino, 2 * C + 90, 30));
        engine.publish(a.view, false);
        assertArrayEquals(holed, published().readBytes("m.bin"));
        restart();
        assertArrayEquals(holed, published().readBytes("m.bin"));
        engine.flush();
        assertArrayEquals(holed, readDisk("m.bin"));
    }

    @Test
    void aCutChunkReadsZerosWhereItsOldBytesWereWhenWrittenOrExtendedPastTheCut() {
        byte[] full = pattern(3 * C, 2);
        long ino = engine.create(a.view, Engine.ROOT, b("t.bin"), 0644, Caller.ROOT)
                .ino();
        engine.write(a.view, ino, 0, full);
        engine.setattr(a.view, ino, AttributeChange.size(C + 10)); // cuts chunk 1, drops chunk 2
        engine.write(a.view, ino, C + 20, b("W")); // 10 bytes past the cut: zeros, not the old bytes
        byte[] want = Arrays.copyOf(full, C + 21);
        Arrays.fill(want, C + 10, C + 20, (byte) 0);
        want[C + 20] = 'W';
        assertArrayEquals(want, a.readBytes("t.bin"));
        engine.setattr(a.view, ino, AttributeChange.size(C + 5));
        engine.setattr(a.view, ino, AttributeChange.size(3 * C)); // extension by truncate: zeros
        byte[] extended = Arrays.copyOf(Arrays.copyOf(full, C + 5), 3 * C);
        assertArrayEquals(extended, a.readBytes("t.bin"));
        engine.publish(a.view, false);
        engine.flush();
        assertArrayEquals(extended, readDisk("t.bin"));
    }

    @Test
    void aPublishedLayerNeverChangesUnderTheViewsThatReadIt() {
        byte[] v1 = pattern(2 * C + 50, 3);
        long ino = engine.create(a.view, Engine.ROOT, b("p.bin"), 0644, Caller.ROOT)
                .ino();
        engine.write(a.view, ino, 0, v1);
        engine.publish(a.view, false);
        TestFs reader = new TestFs(engine, engine.createView("reader", Isolation.SNAPSHOT, 0));
        assertArrayEquals(v1, reader.readBytes("p.bin"));
        // the publisher keeps writing the same chunks: into its new layer, never the published one
        engine.write(a.view, ino, C + 1, b("NEW"));
        engine.setattr(a.view, ino, AttributeChange.size(C + 4));
        assertArrayEquals(v1, reader.readBytes("p.bin"));
        assertArrayEquals(v1, published().readBytes("p.bin"));
        byte[] v2 = Arrays.copyOf(v1, C + 4);
        System.arraycopy(b("NEW"), 0, v2, C + 1, 3);
        assertArrayEquals(v2, a.readBytes("p.bin"));
        engine.abort(a.view);
        assertArrayEquals(v1, new TestFs(engine, engine.view("a")).readBytes("p.bin"));
    }

    @Test
    void hardLinksShareChunksBeyondTheFirst() {
        byte[] data = pattern(2 * C + 1, 4);
        a.write("h1", data);
        engine.link(a.view, a.ino("h1"), Engine.ROOT, b("h2"));
        engine.write(a.view, a.ino("h2"), C + 2, b("via h2"));
        System.arraycopy(b("via h2"), 0, data, C + 2, 6);
        assertArrayEquals(data, a.readBytes("h1"));
        engine.publish(a.view, false);
        engine.flush();
        assertArrayEquals(data, readDisk("h1"));
        assertArrayEquals(data, readDisk("h2"));
    }

    byte[] readDisk(String rel) {
        try {
            return Files.readAllBytes(backing.resolve(rel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
