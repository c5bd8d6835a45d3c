package io.txfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.fuse.proto.Opcode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact decoding of every supported opcode's request and encoding of its reply, with the
 * kernel's offsets written out as numbers (include/uapi/linux/fuse.h, protocol 7.40).
 */
class DispatcherCodecTest {
    static final long U = 0x0102030405060708L;
    RecordingFilesystem fs;
    Dispatcher d;
    RequestBuffers w;

    @BeforeEach
    void init() {
        fs = new RecordingFilesystem();
        d = new Dispatcher(fs, false, true);
        w = new RequestBuffers(1 << 20);
        int n = initRequest(7, 45, 0x2000_0000 | (1 << 30), 1 << 5).into(w);
        assertEquals(80, d.handle(w, n));
    }

    static Req initRequest(int major, int minor, int flags, int flags2) {
        // fuse_init_in: major@0 minor@4 max_readahead@8 flags@12 flags2@16 unused[11] -> 64 bytes
        return new Req(Opcode.INIT, 1, 0)
                .i32(0, major)
                .i32(4, minor)
                .i32(8, 131072)
                .i32(12, flags)
                .i32(16, flags2)
                .struct(64);
    }

    int run(Req r) {
        return d.handle(w, r.into(w));
    }

    ByteBuffer out() {
        return w.out;
    }

    void assertHeader(int len, int error, int replyLen) {
        assertEquals(len, replyLen, "reply length");
        assertEquals(len, out().getInt(0), "out header len");
        assertEquals(error, out().getInt(4), "out header error");
        assertEquals(U, out().getLong(8), "out header unique");
    }

    /** struct fuse_attr (88 bytes) of {@link RecordingFilesystem#ATTR} at {@code o}. */
    void assertAttr(int o) {
        ByteBuffer b = out();
        assertEquals(0x1111, b.getLong(o));
        assertEquals(0x2222, b.getLong(o + 8));
        assertEquals(0x3333, b.getLong(o + 16));
        assertEquals(0x44, b.getLong(o + 24));
        assertEquals(0x66, b.getLong(o + 32));
        assertEquals(0x88, b.getLong(o + 40));
        assertEquals(0x55, b.getInt(o + 48));
        assertEquals(0x77, b.getInt(o + 52));
        assertEquals(0x99, b.getInt(o + 56));
        assertEquals(0100644, b.getInt(o + 60));
        assertEquals(3, b.getInt(o + 64));
        assertEquals(1000, b.getInt(o + 68));
        assertEquals(1001, b.getInt(o + 72));
        assertEquals(0x0801, b.getInt(o + 76));
        assertEquals(4096, b.getInt(o + 80));
        assertEquals(0, b.getInt(o + 84));
    }

    /** struct fuse_entry_out (128 bytes) of {@link RecordingFilesystem#ENTRY} at {@code o}. */
    void assertEntry(int o) {
        ByteBuffer b = out();
        assertEquals(0xABCD, b.getLong(o));
        assertEquals(7, b.getLong(o + 8));
        assertEquals(1, b.getLong(o + 16), "entry_valid");
        assertEquals(2, b.getLong(o + 24), "attr_valid");
        assertEquals(500_000_000, b.getInt(o + 32), "entry_valid_nsec");
        assertEquals(250_000_000, b.getInt(o + 36), "attr_valid_nsec");
        assertAttr(o + 40);
    }

    @Test
    void initReplyIsByteExact() {
        RequestBuffers w2 = new RequestBuffers(1 << 20);
        Dispatcher d2 = new Dispatcher(new RecordingFilesystem(), false, true);
        int all = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 13) | (1 << 14) | (1 << 16) | (1 << 18) | (1 << 20)
                | (1 << 22) | (1 << 30);
        int n = initRequest(7, 45, all, (1 << 5) | (1 << 0)).into(w2);
        assertEquals(16 + 64, d2.handle(w2, n));
        ByteBuffer b = w2.out;
        assertEquals(80, b.getInt(0));
        assertEquals(0, b.getInt(4));
        assertEquals(1, b.getLong(8));
        assertEquals(7, b.getInt(16), "major");
        assertEquals(40, b.getInt(20), "minor = min(45, 40)");
        assertEquals(131072, b.getInt(24), "max_readahead");
        int flags = b.getInt(28);
        int want = (1 << 0) | (1 << 3) | (1 << 5) | (1 << 13) | (1 << 14) | (1 << 18) | (1 << 22) | (1 << 30);
        assertEquals(want, flags, "flags: no EXPORT_SUPPORT, WRITEBACK_CACHE, POSIX_ACL");
        assertEquals(64, b.getShort(32), "max_background");
        assertEquals(48, b.getShort(34), "congestion_threshold");
        assertEquals(1 << 20, b.getInt(36), "max_write");
        assertEquals(1, b.getInt(40), "time_gran");
        assertEquals(256, b.getShort(44), "max_pages");
        assertEquals(0, b.getShort(46), "map_alignment");
        assertEquals(1 << 5, b.getInt(48), "flags2: PASSTHROUGH only (SECURITY_CTX not wanted)");
        assertEquals(1, b.getInt(52), "max_stack_depth");
        for (int i = 56; i < 80; i++) {
            assertEquals(0, b.get(i), "unused byte " + i);
        }
        InitInfo info = d2.info();
        assertEquals(40, info.minor());
        assertTrue(info.toString().contains("PASSTHROUGH"), info.toString());
        assertTrue(info.flagNames().contains("DO_READDIRPLUS"));
    }

    @Test
    void initWithoutPassthroughOrExtAndOlderKernel() {
        RequestBuffers w2 = new RequestBuffers(1 << 20);
        Dispatcher d2 = new Dispatcher(new RecordingFilesystem(), true, false);
        int n = initRequest(7, 36, (1 << 16) | (1 << 22), 0).into(w2);
        d2.handle(w2, n);
        assertEquals(36, w2.out.getInt(20));
        assertEquals((1 << 16) | (1 << 22), w2.out.getInt(28), "writeback cache when asked for; no INIT_EXT");
        assertEquals(0, w2.out.getInt(48), "flags2");
        assertEquals(0, w2.out.getInt(52), "max_stack_depth");
    }

    @Test
    void initFromNewerMajorAsksForOurs() {
        RequestBuffers w2 = new RequestBuffers(1 << 20);
        Dispatcher d2 = new Dispatcher(new RecordingFilesystem(), false, false);
        int n = initRequest(8, 1, 0, 0).into(w2);
        assertEquals(24, d2.handle(w2, n));
        assertEquals(7, w2.out.getInt(16));
        assertEquals(null, d2.info());
    }

    @Test
    void requestsBeforeInitGetEio() {
        Dispatcher d2 = new Dispatcher(new RecordingFilesystem(), false, false);
        RequestBuffers w2 = new RequestBuffers(1 << 20);
        int n = new Req(Opcode.GETATTR, U, 1).struct(16).into(w2);
        assertEquals(16, d2.handle(w2, n));
        assertEquals(-5, w2.out.getInt(4));
    }

    @Test
    void lookup() {
        int len = run(new Req(Opcode.LOOKUP, U, 5).name("name"));
        assertEquals("1000/1001/4242 lookup 5 name", fs.last());
        assertHeader(16 + 128, 0, len);
        assertEntry(16);
    }

    @Test
    void forgetAndBatchForgetHaveNoReply() {
        assertEquals(0, run(new Req(Opcode.FORGET, U, 9).i64(0, 3)));
        assertEquals("forget 9 3", fs.last());
        // fuse_batch_forget_in: count@0 dummy@4, then fuse_forget_one {nodeid@0 nlookup@8} x count
        assertEquals(
                0,
                run(new Req(Opcode.BATCH_FORGET, U, 0)
                        .i32(0, 2)
                        .i64(8, 11)
                        .i64(16, 1)
                        .i64(24, 12)
                        .i64(32, 5)));
        assertEquals("forget 11 1", fs.calls.get(fs.calls.size() - 2));
        assertEquals("forget 12 5", fs.last());
    }

    @Test
    void getattr() {
        // fuse_getattr_in: getattr_flags@0 dummy@4 fh@8
        int len = run(new Req(Opcode.GETATTR, U, 5).i32(0, 1).i64(8, 44));
        assertEquals("1000/1001/4242 getattr 5 fh=44", fs.last());
        assertHeader(16 + 104, 0, len);
        assertEquals(3, out().getLong(16), "attr_valid");
        assertEquals(5, out().getInt(24), "attr_valid_nsec");
        assertEquals(0, out().getInt(28), "dummy");
        assertAttr(32);
        run(new Req(Opcode.GETATTR, U, 5).i32(0, 0).i64(8, 44));
        assertEquals("1000/1001/4242 getattr 5 fh=-1", fs.last());
    }

    @Test
    void setattr() {
        // fuse_setattr_in: valid@0 fh@8 size@16 lock_owner@24 atime@32 mtime@40 ctime@48 atimensec@56
        // mtimensec@60 ctimensec@64 mode@68 uid@76 gid@80 -> 88
        int len = run(new Req(Opcode.SETATTR, U, 5)
                .i32(0, 0x7f)
                .i64(8, 3)
                .i64(16, 4096)
                .i64(24, 9)
                .i64(32, 100)
                .i64(40, 200)
                .i64(48, 300)
                .i32(56, 1)
                .i32(60, 2)
                .i32(64, 3)
                .i32(68, 0100600)
                .i32(76, 7)
                .i32(80, 8)
                .struct(88));
        assertEquals(
                "1000/1001/4242 setattr 5 SetAttr[valid=127, fh=3, size=4096, lockOwner=9, atimeSec=100, "
                        + "atimeNsec=1, mtimeSec=200, mtimeNsec=2, ctimeSec=300, ctimeNsec=3, mode=33152, uid=7, gid=8]",
                fs.last());
        assertHeader(16 + 104, 0, len);
        assertAttr(32);
    }

    @Test
    void readlinkRepliesBareBytes() {
        int len = run(new Req(Opcode.READLINK, U, 5));
        assertHeader(16 + 8, 0, len);
        assertEquals("target/x", string(16, 8));
    }

    @Test
    void symlinkNameThenTarget() {
        int len = run(new Req(Opcode.SYMLINK, U, 5).name("link").name("/some/target"));
        assertEquals("1000/1001/4242 symlink 5 link -> /some/target", fs.last());
        assertHeader(144, 0, len);
        assertEntry(16);
    }

    @Test
    void mknodAndMkdir() {
        // fuse_mknod_in: mode@0 rdev@4 umask@8 padding@12
        int len = run(new Req(Opcode.MKNOD, U, 5)
                .i32(0, 020644)
                .i32(4, 0x0103)
                .i32(8, 022)
                .struct(16)
                .name("dev"));
        assertEquals("1000/1001/4242 mknod 5 dev 20644 103 22", fs.last());
        assertHeader(144, 0, len);
        // fuse_mkdir_in: mode@0 umask@4
        len = run(new Req(Opcode.MKDIR, U, 5).i32(0, 0755).i32(4, 02).name("d"));
        assertEquals("1000/1001/4242 mkdir 5 d 755 2", fs.last());
        assertHeader(144, 0, len);
        assertEntry(16);
    }

    @Test
    void unlinkRmdir() {
        assertHeader(16, 0, run(new Req(Opcode.UNLINK, U, 5).name("f")));
        assertEquals("1000/1001/4242 unlink 5 f", fs.last());
        assertHeader(16, 0, run(new Req(Opcode.RMDIR, U, 5).name("d")));
        assertEquals("1000/1001/4242 rmdir 5 d", fs.last());
    }

    @Test
    void renameAndRename2() {
        // fuse_rename_in: newdir@0 (8); fuse_rename2_in: newdir@0 flags@8 padding@12 (16)
        assertHeader(16, 0, run(new Req(Opcode.RENAME, U, 5).i64(0, 6).name("a").name("b")));
        assertEquals("1000/1001/4242 rename 5 a 6 b 0", fs.last());
        assertHeader(
                16,
                0,
                run(new Req(Opcode.RENAME2, U, 5)
                        .i64(0, 6)
                        .i32(8, 2)
                        .struct(16)
                        .name("a")
                        .name("b")));
        assertEquals("1000/1001/4242 rename 5 a 6 b 2", fs.last());
    }

    @Test
    void link() {
        // fuse_link_in: oldnodeid@0; header nodeid is the new parent
        int len = run(new Req(Opcode.LINK, U, 5).i64(0, 12).name("hard"));
        assertEquals("1000/1001/4242 link 12 5 hard", fs.last());
        assertHeader(144, 0, len);
    }

    @Test
    void openReplyCarriesFlagsAndBackingId() {
        // fuse_open_in: flags@0 open_flags@4; fuse_open_out: fh@0 open_flags@8 backing_id@12
        int len = run(new Req(Opcode.OPEN, U, 5).i32(0, 02002).struct(8));
        assertEquals("1000/1001/4242 open 5 2002", fs.last());
        assertHeader(32, 0, len);
        assertEquals(0x1234_5678_9ABCL, out().getLong(16));
        assertEquals(2 | 128, out().getInt(24));
        assertEquals(5, out().getInt(28));
    }

    @Test
    void createRepliesEntryThenOpen() {
        // fuse_create_in: flags@0 mode@4 umask@8 open_flags@12
        int len = run(new Req(Opcode.CREATE, U, 5)
                .i32(0, 0101)
                .i32(4, 0100644)
                .i32(8, 022)
                .struct(16)
                .name("new"));
        assertEquals("1000/1001/4242 create 5 new 100644 101 22", fs.last());
        assertHeader(16 + 128 + 16, 0, len);
        assertEntry(16);
        assertEquals(99, out().getLong(144));
        assertEquals(1, out().getInt(152));
        assertEquals(0, out().getInt(156));
    }

    @Test
    void readPutsDataRightAfterHeader() {
        // fuse_read_in: fh@0 offset@8 size@16 read_flags@20 lock_owner@24 flags@32 padding@36
        int len = run(
                new Req(Opcode.READ, U, 5).i64(0, 3).i64(8, 1 << 20).i32(16, 4).struct(40));
        assertEquals("1000/1001/4242 read 5 3 1048576 4", fs.last());
        assertHeader(20, 0, len);
        assertEquals("0123", string(16, 4));
    }

    @Test
    void writeDataFollowsWriteIn() {
        // fuse_write_in: fh@0 offset@8 size@16 write_flags@20 lock_owner@24 flags@32 padding@36; data@40
        byte[] data = "payload".getBytes(StandardCharsets.US_ASCII);
        int len = run(new Req(Opcode.WRITE, U, 5)
                .i64(0, 3)
                .i64(8, 77)
                .i32(16, data.length)
                .i32(20, 1)
                .struct(40)
                .raw(data));
        assertEquals("1000/1001/4242 write 5 3 77 1 payload", fs.last());
        assertHeader(24, 0, len);
        assertEquals(7, out().getInt(16), "fuse_write_out.size");
        assertEquals(0, out().getInt(20), "padding");
    }

    @Test
    void statfs() {
        int len = run(new Req(Opcode.STATFS, U, 1));
        assertHeader(16 + 80, 0, len);
        // fuse_kstatfs: blocks@0 bfree@8 bavail@16 files@24 ffree@32 bsize@40 namelen@44 frsize@48 padding@52 spare[6]
        assertEquals(10, out().getLong(16));
        assertEquals(9, out().getLong(24));
        assertEquals(8, out().getLong(32));
        assertEquals(7, out().getLong(40));
        assertEquals(6, out().getLong(48));
        assertEquals(4096, out().getInt(56));
        assertEquals(255, out().getInt(60));
        assertEquals(512, out().getInt(64));
        for (int i = 68; i < 96; i++) {
            assertEquals(0, out().get(i));
        }
    }

    @Test
    void releaseFlushFsync() {
        // fuse_release_in: fh@0 flags@8 release_flags@12 lock_owner@16
        assertHeader(
                16,
                0,
                run(new Req(Opcode.RELEASE, U, 5)
                        .i64(0, 3)
                        .i32(8, 01)
                        .i32(12, 1)
                        .struct(24)));
        assertEquals("1000/1001/4242 release 5 3 1", fs.last());
        // fuse_flush_in: fh@0 unused@8 padding@12 lock_owner@16
        assertHeader(
                16,
                0,
                run(new Req(Opcode.FLUSH, U, 5).i64(0, 3).i64(16, 0xfeedL).struct(24)));
        assertEquals("1000/1001/4242 flush 5 3 feed", fs.last());
        // fuse_fsync_in: fh@0 fsync_flags@8 padding@12
        assertHeader(16, 0, run(new Req(Opcode.FSYNC, U, 5).i64(0, 3).i32(8, 1).struct(16)));
        assertEquals("1000/1001/4242 fsync 5 3 true", fs.last());
        assertHeader(
                16, 0, run(new Req(Opcode.FSYNCDIR, U, 5).i64(0, 4).i32(8, 0).struct(16)));
        assertEquals("1000/1001/4242 fsyncdir 5 4 false", fs.last());
    }

    @Test
    void opendirReleasedir() {
        int len = run(new Req(Opcode.OPENDIR, U, 5).i32(0, 0200000).struct(8));
        assertEquals("1000/1001/4242 opendir 5 200000", fs.last());
        assertHeader(32, 0, len);
        assertEquals(77, out().getLong(16));
        assertEquals(8, out().getInt(24));
        assertHeader(16, 0, run(new Req(Opcode.RELEASEDIR, U, 5).i64(0, 77).struct(24)));
        assertEquals("1000/1001/4242 releasedir 5 77", fs.last());
    }

    @Test
    void readdirPadsEachDirentTo8() {
        int len = run(
                new Req(Opcode.READDIR, U, 5).i64(0, 77).i64(8, 0).i32(16, 4096).struct(40));
        assertEquals("1000/1001/4242 readdir 5 77 0", fs.last());
        // fuse_dirent: ino@0 off@8 namelen@16 type@20 name@24, record padded to 8: ".",".." -> 32, "a" -> 32,
        // "bbbbbbbbb" (9) -> 40
        assertHeader(16 + 32 + 32 + 32 + 40, 0, len);
        int o = 16;
        assertEquals(100, out().getLong(o));
        assertEquals(1, out().getLong(o + 8));
        assertEquals(1, out().getInt(o + 16));
        assertEquals(4, out().getInt(o + 20));
        assertEquals(".", string(o + 24, 1));
        for (int i = o + 25; i < o + 32; i++) {
            assertEquals(0, out().get(i), "padding");
        }
        o = 16 + 96;
        assertEquals(103, out().getLong(o));
        assertEquals(4, out().getLong(o + 8));
        assertEquals(9, out().getInt(o + 16));
        assertEquals(8, out().getInt(o + 20));
        assertEquals("bbbbbbbbb", string(o + 24, 9));
    }

    @Test
    void readdirStopsWhenTheKernelBufferIsFull() {
        int len = run(
                new Req(Opcode.READDIR, U, 5).i64(0, 77).i64(8, 0).i32(16, 70).struct(40));
        assertHeader(16 + 64, 0, len);
    }

    @Test
    void readdirplusEncodesEntryThenDirent() {
        int len = run(new Req(Opcode.READDIRPLUS, U, 5)
                .i64(0, 77)
                .i64(8, 0)
                .i32(16, 4096)
                .struct(40));
        // fuse_direntplus: entry_out@0 (128) dirent@128 (24) name@152, padded to 8: "." -> 160, "file" -> 160
        assertHeader(16 + 160 + 160, 0, len);
        assertEquals(0, out().getLong(16), "dot has no node id");
        assertEquals(1, out().getLong(16 + 128), "dot ino");
        assertEquals(1, out().getInt(16 + 144), "dot namelen");
        int o = 16 + 160;
        assertEntry(o);
        assertEquals(0x1111, out().getLong(o + 128), "dirent.ino = attr.ino");
        assertEquals(2, out().getLong(o + 136), "dirent.off");
        assertEquals(4, out().getInt(o + 144), "dirent.namelen");
        assertEquals(8, out().getInt(o + 148), "dirent.type = mode >> 12");
        assertEquals("file", string(o + 152, 4));
    }

    @Test
    void xattrs() {
        // fuse_setxattr_in (compat, without FUSE_SETXATTR_EXT): size@0 flags@4, then name\0 value
        byte[] v = "v\0x".getBytes(StandardCharsets.ISO_8859_1);
        assertHeader(
                16,
                0,
                run(new Req(Opcode.SETXATTR, U, 5)
                        .i32(0, v.length)
                        .i32(4, 1)
                        .name("user.k")
                        .raw(v)));
        assertEquals("1000/1001/4242 setxattr 5 user.k v\0x 1", fs.last());
        // fuse_getxattr_in: size@0 padding@4; size 0 asks for the length -> fuse_getxattr_out size@0
        int len = run(new Req(Opcode.GETXATTR, U, 5).i32(0, 0).struct(8).name("user.k"));
        assertEquals("1000/1001/4242 getxattr 5 user.k 0", fs.last());
        assertHeader(24, 0, len);
        assertEquals(5, out().getInt(16));
        len = run(new Req(Opcode.GETXATTR, U, 5).i32(0, 100).struct(8).name("user.k"));
        assertHeader(21, 0, len);
        assertEquals("value", string(16, 5));
        assertHeader(
                16, -34, run(new Req(Opcode.GETXATTR, U, 5).i32(0, 3).struct(8).name("user.k")));
        len = run(new Req(Opcode.LISTXATTR, U, 5).i32(0, 0).struct(8));
        assertHeader(24, 0, len);
        assertEquals(14, out().getInt(16));
        len = run(new Req(Opcode.LISTXATTR, U, 5).i32(0, 64).struct(8));
        assertHeader(30, 0, len);
        assertHeader(16, 0, run(new Req(Opcode.REMOVEXATTR, U, 5).name("user.k")));
        assertEquals("1000/1001/4242 removexattr 5 user.k", fs.last());
    }

    @Test
    void accessFallocateLseek() {
        assertHeader(16, 0, run(new Req(Opcode.ACCESS, U, 5).i32(0, 4).struct(8)));
        assertEquals("1000/1001/4242 access 5 4", fs.last());
        // fuse_fallocate_in: fh@0 offset@8 length@16 mode@24 padding@28
        assertHeader(
                16,
                0,
                run(new Req(Opcode.FALLOCATE, U, 5)
                        .i64(0, 3)
                        .i64(8, 10)
                        .i64(16, 20)
                        .i32(24, 1)
                        .struct(32)));
        assertEquals("1000/1001/4242 fallocate 5 3 1 10 20", fs.last());
        // fuse_lseek_in: fh@0 offset@8 whence@16 padding@20; fuse_lseek_out: offset@0
        int len =
                run(new Req(Opcode.LSEEK, U, 5).i64(0, 3).i64(8, 100).i32(16, 3).struct(24));
        assertEquals("1000/1001/4242 lseek 5 3 100 3", fs.last());
        assertHeader(24, 0, len);
        assertEquals(4096, out().getLong(16));
    }

    @Test
    void interruptHasNoReplyDestroyHasAnEmptyOne() {
        assertEquals(0, run(new Req(Opcode.INTERRUPT, U, 0).i64(0, 99)));
        assertHeader(16, 0, run(new Req(Opcode.DESTROY, U, 0)));
    }

    String string(int off, int len) {
        byte[] a = new byte[len];
        out().get(off, a);
        return new String(a, StandardCharsets.UTF_8);
    }
}
