package io.txfs.fuse.passthrough;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.fuse.DirectoryFiller;
import io.txfs.fuse.Entry;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.FuseFilesystem;
import io.txfs.fuse.OpenResult;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.SetAttr;
import io.txfs.sys.Errno;
import io.txfs.sys.RawPaths;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The passthrough's semantics called directly, without a mount: node ids, lookup counts, errnos. */
class PassthroughFilesystemTest {
    static final long ROOT = FuseFilesystem.ROOT_ID;
    static final RequestContext ROOT_CALLER = new RequestContext(1, 0, 0, 1);
    static final RequestContext USER = new RequestContext(2, 1234, 4321, 1);

    @TempDir
    Path dir;

    PassthroughFilesystem fs;

    @BeforeEach
    void open() throws Exception {
        fs = new PassthroughFilesystem(dir, false);
    }

    @AfterEach
    void close() {
        fs.close();
    }

    static int errno(ThrowingRunnable r) {
        FuseErrnoException e = assertThrows(FuseErrnoException.class, r::run);
        return e.errno();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void oneNodePerInodeWithLookupCountsAndForget() throws Exception {
        Files.writeString(dir.resolve("a"), "x");
        Entry e1 = fs.lookup(ROOT_CALLER, ROOT, b("a"));
        Entry e2 = fs.lookup(ROOT_CALLER, ROOT, b("a"));
        assertEquals(e1.nodeId(), e2.nodeId());
        assertEquals(2, fs.lookups(e1.nodeId()));
        Entry hard = fs.link(ROOT_CALLER, e1.nodeId(), ROOT, b("b"));
        assertEquals(e1.nodeId(), hard.nodeId(), "a hard link is the same node");
        assertEquals(2, hard.attr().nlink());
        assertEquals(3, fs.lookups(e1.nodeId()));
        assertEquals(2, fs.nodeCount());
        fs.forget(e1.nodeId(), 3);
        assertEquals(1, fs.nodeCount(), "only the root is left");
        Entry again = fs.lookup(ROOT_CALLER, ROOT, b("a"));
        assertNotEquals(e1.nodeId(), again.nodeId(), "node ids are never reused");
    }

    @Test
    void errnosAreTheBackingFilesystems() throws Exception {
        Files.createDirectories(dir.resolve("full/sub"));
        Files.writeString(dir.resolve("file"), "x");
        assertEquals(Errno.ENOENT.code(), errno(() -> fs.lookup(ROOT_CALLER, ROOT, b("missing"))));
        assertEquals(Errno.EEXIST.code(), errno(() -> fs.mkdir(ROOT_CALLER, ROOT, b("full"), 0755, 0)));
        assertEquals(Errno.ENOTEMPTY.code(), errno(() -> fs.rmdir(ROOT_CALLER, ROOT, b("full"))));
        assertEquals(Errno.ENOTDIR.code(), errno(() -> fs.rmdir(ROOT_CALLER, ROOT, b("file"))));
        assertEquals(Errno.EISDIR.code(), errno(() -> fs.unlink(ROOT_CALLER, ROOT, b("full"))));
        assertEquals(Errno.ENAMETOOLONG.code(), errno(() -> fs.lookup(ROOT_CALLER, ROOT, b("n".repeat(256)))));
        assertEquals(
                Errno.EEXIST.code(),
                errno(() -> fs.rename(ROOT_CALLER, ROOT, b("file"), ROOT, b("full"), FuseFilesystem.RENAME_NOREPLACE)));
        long full = fs.lookup(ROOT_CALLER, ROOT, b("full")).nodeId();
        fs.rename(ROOT_CALLER, ROOT, b("file"), full, b("sub"), FuseFilesystem.RENAME_EXCHANGE);
        assertTrue(Files.isRegularFile(dir.resolve("full/sub")));
        assertTrue(Files.isDirectory(dir.resolve("file")));
    }

    @Test
    void createdFilesBelongToTheCallerWithTheKernelsMode() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Entry d = fs.mkdir(USER, ROOT, b("d"), 0750, 022);
        assertEquals(1234, d.attr().uid());
        assertEquals(4321, d.attr().gid());
        assertEquals(040750, d.attr().mode());
        var c = fs.create(USER, d.nodeId(), b("f"), 0100666, 01 | 0100, 0);
        try {
            assertEquals(0100666, c.entry().attr().mode(), "exact bits, not masked again by the daemon's umask");
            assertEquals(1234, c.entry().attr().uid());
            ByteBuffer data = ByteBuffer.allocateDirect(5)
                    .put("hello".getBytes(StandardCharsets.US_ASCII))
                    .flip();
            assertEquals(5, fs.write(USER, c.entry().nodeId(), c.open().fh(), 0, data, 0));
        } finally {
            fs.release(USER, c.entry().nodeId(), c.open().fh(), 0);
        }
        assertEquals("hello", Files.readString(dir.resolve("d/f")));
        Entry s = fs.symlink(USER, ROOT, b("s"), b("d/f"));
        assertEquals(1234, s.attr().uid());
        assertEquals("d/f", new String(fs.readlink(USER, s.nodeId()), StandardCharsets.UTF_8));
    }

    @Test
    void theBackingChecksPermissionsAsTheCaller() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("secret"), "s");
        Files.setPosixFilePermissions(dir.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
        assertEquals(Errno.EACCES.code(), errno(() -> fs.mkdir(USER, ROOT, b("x"), 0755, 0)));
        long secret = fs.lookup(USER, ROOT, b("secret")).nodeId();
        assertEquals(Errno.EACCES.code(), errno(() -> fs.open(USER, secret, 0)));
        assertEquals(Errno.EACCES.code(), errno(() -> fs.access(USER, secret, 4)));
        assertEquals(
                Errno.EPERM.code(),
                errno(() -> fs.setattr(
                        USER, secret, new SetAttr(SetAttr.FATTR_MODE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0100777, 0, 0))));
        OpenResult o = fs.open(ROOT_CALLER, secret, 0);
        fs.release(ROOT_CALLER, secret, o.fh(), 0);
        fs.access(ROOT_CALLER, secret, 4);
    }

    @Test
    void setattrTruncatesChmodsAndSetsTimes() throws Exception {
        Files.writeString(dir.resolve("f"), "0123456789");
        long n = fs.lookup(ROOT_CALLER, ROOT, b("f")).nodeId();
        int valid = SetAttr.FATTR_SIZE
                | SetAttr.FATTR_MODE
                | SetAttr.FATTR_MTIME
                | SetAttr.FATTR_ATIME
                | SetAttr.FATTR_ATIME_NOW;
        var r = fs.setattr(ROOT_CALLER, n, new SetAttr(valid, 0, 4, 0, 0, 0, 1_000_000, 5, 0, 0, 0100600, 0, 0));
        assertEquals(4, r.attr().size());
        assertEquals(0100600, r.attr().mode());
        assertEquals(1_000_000, r.attr().mtimeSec());
        assertEquals(5, r.attr().mtimeNsec());
        assertTrue(r.attr().atimeSec() > 1_000_000_000L, "atime now");
    }

    @Test
    void namesThatAreNotUtf8ReachTheBackingAsTheirBytes() throws Exception {
        byte[] name = {'n', (byte) 0xff, (byte) 0xc3, '(', '\n'}; // an invalid byte, a bad pair, a newline
        var c = fs.create(ROOT_CALLER, ROOT, name, 0100644, 01, 0);
        fs.release(ROOT_CALLER, c.entry().nodeId(), c.open().fh(), 0);
        List<byte[]> onDisk = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(f -> onDisk.add(RawPaths.fileName(f)));
        }
        assertEquals(1, onDisk.size());
        assertArrayEquals(name, onDisk.get(0), "the backing file's name is the kernel's bytes");
        assertEquals(c.entry().nodeId(), fs.lookup(ROOT_CALLER, ROOT, name).nodeId());
        byte[] renamed = {(byte) 0x80, 'x'};
        fs.rename(ROOT_CALLER, ROOT, name, ROOT, renamed, 0);
        assertEquals(Errno.ENOENT.code(), errno(() -> fs.lookup(ROOT_CALLER, ROOT, name)));
        Entry s = fs.symlink(ROOT_CALLER, ROOT, b("link"), renamed);
        assertArrayEquals(renamed, fs.readlink(ROOT_CALLER, s.nodeId()), "a symlink's target keeps its bytes");
    }

    @Test
    void readdirIsSortedAndReaddirplusCountsLookups() throws Exception {
        for (String name : new String[] {"c", "a", "b"}) {
            Files.writeString(dir.resolve(name), name);
        }
        OpenResult d = fs.opendir(ROOT_CALLER, ROOT, 0);
        List<String> names = new ArrayList<>();
        List<Long> nodes = new ArrayList<>();
        DirectoryFiller filler = new DirectoryFiller() {
            @Override
            public boolean add(byte[] name, long ino, int type, long nextOffset) {
                names.add(new String(name, StandardCharsets.UTF_8));
                return true;
            }

            @Override
            public boolean addPlus(byte[] name, Entry entry, long nextOffset) {
                names.add(new String(name, StandardCharsets.UTF_8));
                nodes.add(entry.nodeId());
                return names.size() < 4;
            }
        };
        fs.readdir(ROOT_CALLER, ROOT, d.fh(), 0, filler);
        assertEquals(List.of(".", "..", "a", "b", "c"), names);
        names.clear();
        fs.readdirplus(ROOT_CALLER, ROOT, d.fh(), 0, filler);
        assertEquals(List.of(".", "..", "a", "b"), names, "stops when the buffer is full");
        assertEquals(1, fs.lookups(nodes.get(0)), "a was accepted: one lookup");
        assertEquals(0, fs.lookups(nodes.get(1)), "b did not fit: its lookup was undone");
        fs.releasedir(ROOT_CALLER, ROOT, d.fh());
    }

    private static byte[] b(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
