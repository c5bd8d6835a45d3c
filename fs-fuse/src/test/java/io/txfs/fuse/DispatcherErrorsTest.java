package io.txfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.fuse.proto.Opcode;
import io.txfs.sys.Errno;
import io.txfs.sys.ErrnoAnswer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where errno comes from, and that no request can stop the daemon: on a fake /dev/fuse. */
class DispatcherErrorsTest {
    final RecordingFilesystem fs = new RecordingFilesystem();
    final FakeChannel ch = new FakeChannel();

    FuseSession start() throws InterruptedException {
        FuseSession s = new FuseSession(ch, fs, new Dispatcher(fs, false, false), 2, "test");
        s.start();
        ch.send(DispatcherCodecTest.initRequest(7, 40, 1 << 13, 0));
        ByteBuffer r = ch.reply();
        assertEquals(0, r.getInt(4));
        return s;
    }

    static int error(ByteBuffer reply) {
        return reply.getInt(4);
    }

    @Test
    void errnoExceptionPassesItsErrno() throws Exception {
        FuseSession s = start();
        fs.throwChecked = new FuseErrnoException(Errno.ENOTEMPTY);
        ch.send(new Req(Opcode.RMDIR, 5, 1).name("d"));
        ByteBuffer r = ch.reply();
        assertEquals(16, r.getInt(0));
        assertEquals(-39, error(r));
        assertEquals(5, r.getLong(8));
        ch.unmount(2);
        s.awaitEnd();
    }

    @Test
    void anyOtherExceptionIsEioAndTheDaemonContinues() throws Exception {
        FuseSession s = start();
        fs.throwUnchecked = new IllegalStateException("bug");
        ch.send(new Req(Opcode.LOOKUP, 6, 1).name("x"));
        assertEquals(-5, error(ch.reply()));
        fs.throwUnchecked = null;
        fs.throwChecked = new IOException("plain IOException is not an errno");
        ch.send(new Req(Opcode.LOOKUP, 7, 1).name("x"));
        assertEquals(-5, error(ch.reply()));
        fs.throwChecked = null;
        ch.send(new Req(Opcode.LOOKUP, 8, 1).name("x"));
        ByteBuffer ok = ch.reply();
        assertEquals(0, error(ok));
        assertEquals(8, ok.getLong(8));
        ch.unmount(2);
        s.awaitEnd();
    }

    @Test
    void anExceptionThatIsAnErrnoAnswerIsAnsweredWithItsErrno() throws Exception {
        FuseSession s = start();
        fs.throwUnchecked = new ReadOnly();
        ch.send(new Req(Opcode.UNLINK, 9, 1).name("x"));
        assertEquals(-30, error(ch.reply()));
        ch.unmount(2);
        s.awaitEnd();
    }

    @Test
    void unknownAndUnwantedOpcodesAreEnosys() throws Exception {
        FuseSession s = start();
        for (int op : new int[] {
            Opcode.COPY_FILE_RANGE,
            Opcode.IOCTL,
            Opcode.GETLK,
            Opcode.BMAP,
            Opcode.POLL,
            Opcode.TMPFILE,
            Opcode.STATX,
            999,
            4096
        }) {
            ch.send(new Req(op, op, 1).struct(64));
            ByteBuffer r = ch.reply();
            assertEquals(-38, error(r), "opcode " + op);
            assertEquals(op, r.getLong(8));
        }
        ch.unmount(2);
        s.awaitEnd();
    }

    @Test
    void malformedRequestsGetEinvalAndServingGoesOn() throws Exception {
        FuseSession s = start();
        // a name without its NUL terminator
        Req noNul = new Req(Opcode.LOOKUP, 10, 1).raw("abc".getBytes());
        ch.send(noNul);
        assertEquals(-22, error(ch.reply()));
        // a WRITE whose size says more data than was sent
        ch.send(new Req(Opcode.WRITE, 11, 2).i64(0, 3).i32(16, 5000).struct(40).raw(new byte[10]));
        assertEquals(-22, error(ch.reply()));
        // a struct cut short
        ch.send(new Req(Opcode.SETATTR, 12, 2).struct(20));
        assertEquals(-22, error(ch.reply()));
        // a header whose len disagrees with what was read
        byte[] lying = new byte[48];
        ByteBuffer lb = ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN);
        lb.putInt(0, 4000).putInt(4, Opcode.GETATTR).putLong(8, 13);
        ch.sendRaw(lying);
        ByteBuffer r = ch.reply();
        assertEquals(-22, error(r));
        assertEquals(13, r.getLong(8));
        // shorter than an out header: nothing to answer, dropped
        ch.sendRaw(new byte[7]);
        // a batch forget claiming more entries than it carries: EINVAL, not a crash
        ch.send(new Req(Opcode.BATCH_FORGET, 14, 0).i32(0, 1000).i64(8, 5).i64(16, 1));
        assertEquals(-22, error(ch.reply()));
        // and a good request afterwards is still answered
        ch.send(new Req(Opcode.GETATTR, 15, 1).struct(16));
        r = ch.reply();
        assertEquals(0, error(r));
        assertEquals(15, r.getLong(8));
        ch.unmount(2);
        assertTrue(s.awaitEnd(10, TimeUnit.SECONDS));
    }

    @Test
    void sessionEndsOnEnodevAndDestroysOnce() throws Exception {
        FuseSession s = start();
        ch.unmount(2);
        assertTrue(s.awaitEnd(10, TimeUnit.SECONDS));
        assertEquals(1, fs.calls.stream().filter("destroy"::equals).count());
        assertTrue(ch.closed);
    }

    @Test
    void notificationsUseUniqueZeroAndTheCodeInTheErrorField() throws Exception {
        FuseSession s = start();
        assertTrue(s.invalInode(42, 4096, 8192));
        ByteBuffer r = ch.reply();
        // fuse_out_header + fuse_notify_inval_inode_out: ino@0 off@8 len@16
        assertEquals(40, r.getInt(0));
        assertEquals(2, r.getInt(4));
        assertEquals(0, r.getLong(8));
        assertEquals(42, r.getLong(16));
        assertEquals(4096, r.getLong(24));
        assertEquals(8192, r.getLong(32));
        assertTrue(s.invalEntry(1, "name".getBytes(StandardCharsets.UTF_8)));
        r = ch.reply();
        // fuse_notify_inval_entry_out: parent@0 namelen@8 flags@12, then name and NUL
        assertEquals(16 + 16 + 5, r.getInt(0));
        assertEquals(3, r.getInt(4));
        assertEquals(1, r.getLong(16));
        assertEquals(4, r.getInt(24));
        assertEquals('n', r.get(32));
        assertEquals(0, r.get(36));
        assertTrue(s.delete(1, 42, "gone".getBytes(StandardCharsets.UTF_8)));
        r = ch.reply();
        // fuse_notify_delete_out: parent@0 child@8 namelen@16 padding@20, then name and NUL
        assertEquals(16 + 24 + 5, r.getInt(0));
        assertEquals(6, r.getInt(4));
        assertEquals(1, r.getLong(16));
        assertEquals(42, r.getLong(24));
        assertEquals(4, r.getInt(32));
        assertEquals('g', r.get(40));
        ch.unmount(2);
        s.awaitEnd();
    }

    /** Like the engine's typed exceptions: an answer, not a fault. */
    private static final class ReadOnly extends RuntimeException implements ErrnoAnswer {
        private static final long serialVersionUID = 1L;

        @Override
        public Errno errno() {
            return Errno.EROFS;
        }
    }
}
