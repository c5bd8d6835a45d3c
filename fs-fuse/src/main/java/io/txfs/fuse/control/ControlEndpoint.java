package io.txfs.fuse.control;

import io.txfs.fuse.Errno;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of {@code .txfs/ctl}: each open descriptor is a session; a write is one command
 * whose failure is the write's errno; reads then return that command's JSON reply once, to EOF.
 * The file is opened as a stream (FOPEN_STREAM | FOPEN_DIRECT_IO), so offsets carry no meaning and
 * the kernel caches nothing.
 */
public final class ControlEndpoint {
    private static final Logger log = LoggerFactory.getLogger(ControlEndpoint.class);

    private static final class Session {
        private byte[] reply = new byte[0];
        private int cursor;
    }

    private final ControlHandler handler;
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    public ControlEndpoint(ControlHandler handler) {
        this.handler = handler;
    }

    public long open() {
        long fh = nextHandle.getAndIncrement();
        sessions.put(fh, new Session());
        return fh;
    }

    /** Runs the command in {@code data}; returns the byte count on success, throws the command's errno on failure. */
    public int write(RequestContext caller, long fh, ByteBuffer data) throws FuseErrnoException {
        Session s = session(fh);
        int length = data.remaining();
        if (length > ControlCommand.MAX_LINE_BYTES) {
            // refused before copying: a huge write must cost nothing
            return refuse(s, new ControlRefusal(Errno.EINVAL, null, "command longer than " + ControlCommand.MAX_LINE_BYTES + " bytes"));
        }
        byte[] line = new byte[length];
        data.get(line);
        ControlCommand command;
        try {
            command = ControlCommand.parse(line);
        } catch (BadControlCommandException e) {
            return refuse(s, new ControlRefusal(Errno.EINVAL, null, e.getMessage()));
        }
        try {
            ControlReply reply = handler.handle(caller, command);
            answer(s, reply);
            return length;
        } catch (ControlRefusal r) {
            log.info("control: {} from pid {} uid {} refused: {}", command.verb().word(), caller.pid(), caller.uid(), r.errno());
            return refuse(s, r);
        } catch (RuntimeException e) {
            log.error("control: {} from pid {} failed unexpectedly", command.verb().word(), caller.pid(), e);
            answer(s, ControlReply.error(command.verb(), Errno.EIO.name(), "internal error: " + e));
            throw new FuseErrnoException(Errno.EIO);
        }
    }

    /** The rest of the last command's reply; 0 bytes once it has all been read. */
    public int read(long fh, ByteBuffer dst) throws FuseErrnoException {
        Session s = session(fh);
        synchronized (s) {
            int n = Math.min(dst.remaining(), s.reply.length - s.cursor);
            dst.put(s.reply, s.cursor, n);
            s.cursor += n;
            return n;
        }
    }

    public void release(long fh) {
        sessions.remove(fh);
    }

    private int refuse(Session s, ControlRefusal r) throws FuseErrnoException {
        answer(s, r.reply());
        throw new FuseErrnoException(r.errno(), r.getMessage());
    }

    private static void answer(Session s, ControlReply reply) {
        byte[] bytes = reply.bytes();
        synchronized (s) {
            s.reply = bytes;
            s.cursor = 0;
        }
    }

    private Session session(long fh) throws FuseErrnoException {
        Session s = sessions.get(fh);
        if (s == null) {
            throw new FuseErrnoException(Errno.EBADF);
        }
        return s;
    }

    int openSessions() {
        return sessions.size();
    }
}
