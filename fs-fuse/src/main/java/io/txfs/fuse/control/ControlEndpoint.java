package io.txfs.fuse.control;

import io.txfs.control.BadControlCommandException;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.NoSuchProcessException;
import io.txfs.fuse.caller.ProcStat;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of {@code .txfs/ctl}: each open descriptor is a session; a write is one command
 * whose failure is the write's errno; reads then return that command's JSON reply once, to EOF.
 * The file is opened as a stream (FOPEN_STREAM | FOPEN_DIRECT_IO), so offsets carry no meaning and
 * the kernel caches nothing.
 *
 * <p>Processes that share one descriptor (a fork after the open) each read the reply to their own last
 * command on it: one reply per descriptor would hand a reader the other's reply, or the tail of it after
 * its own first pieces. A process that sent no command on the descriptor reads the last reply written
 * on it (a shell's {@code echo status >&3; cat <&3}, where the reader is a child of the writer).
 */
public final class ControlEndpoint {
    private static final Logger log = LoggerFactory.getLogger(ControlEndpoint.class);
    /** Writers remembered per descriptor; beyond that the oldest's reply is forgotten. */
    static final int MAX_WRITERS = 64;

    /** One command's reply and how far it has been read, or the stream it is read from. */
    private static final class Reply {
        private byte[] bytes;
        private int cursor;
        private final StreamedReply stream;

        Reply(byte[] bytes, StreamedReply stream) {
            this.bytes = bytes;
            this.stream = stream;
        }

        void cancel() {
            if (stream != null) {
                stream.cancel();
            }
        }
    }

    private static final class Session {
        private final Map<Integer, Reply> byWriter = new LinkedHashMap<>(4, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Reply> e) {
                boolean forget = size() > MAX_WRITERS;
                if (forget && e.getValue() != latest) {
                    e.getValue().cancel();
                }
                return forget;
            }
        };
        private Reply latest = new Reply(new byte[0], null);

        /** Stops the streams nobody can read any more. */
        void cancelAll() {
            byWriter.values().forEach(Reply::cancel);
            latest.cancel();
        }
    }

    private final ControlHandler handler;
    private final IntUnaryOperator processOf;
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    public ControlEndpoint(ControlHandler handler) {
        this(handler, ControlEndpoint::threadGroup);
    }

    /** processOf: the process (thread group) of the thread a request names. */
    ControlEndpoint(ControlHandler handler, IntUnaryOperator processOf) {
        this.handler = handler;
        this.processOf = processOf;
    }

    private static int threadGroup(int tid) {
        try {
            return ProcStat.threadGroupOf(tid);
        } catch (NoSuchProcessException gone) {
            return tid; // it exited mid-request: nobody will read its reply
        }
    }

    public long open() {
        long fh = nextHandle.getAndIncrement();
        sessions.put(fh, new Session());
        return fh;
    }

    /** Runs the command in {@code data}; returns the byte count on success, throws the command's errno on failure. */
    public int write(RequestContext caller, long fh, ByteBuffer data) throws FuseErrnoException {
        Session s = session(fh);
        int writer = processOf.applyAsInt(caller.pid());
        int length = data.remaining();
        if (length > ControlCommand.MAX_LINE_BYTES) {
            // refused before copying: a huge write must cost nothing
            return refuse(
                    s,
                    writer,
                    new ControlRefusal(
                            Errno.EINVAL, null, "command longer than " + ControlCommand.MAX_LINE_BYTES + " bytes"));
        }
        byte[] line = new byte[length];
        data.get(line);
        ControlCommand command;
        try {
            command = ControlCommand.parse(line);
        } catch (BadControlCommandException e) {
            return refuse(s, writer, new ControlRefusal(Errno.EINVAL, null, e.getMessage()));
        }
        try {
            ControlReply reply = handler.handle(caller, command);
            answer(s, writer, reply);
            return length;
        } catch (ControlRefusal r) {
            log.info(
                    "control: {} from pid {} uid {} refused: {}",
                    command.verb().word(),
                    caller.pid(),
                    caller.uid(),
                    r.errno());
            return refuse(s, writer, r);
        } catch (RuntimeException e) {
            log.error(
                    "control: {} from pid {} failed unexpectedly",
                    command.verb().word(),
                    caller.pid(),
                    e);
            answer(s, writer, ControlReply.error(command.verb(), Errno.EIO.name(), "internal error: " + e));
            throw new FuseErrnoException(Errno.EIO);
        }
    }

    /** The rest of the reply to the reading process's last command (see the class comment); 0 bytes once read. */
    public int read(RequestContext caller, long fh, ByteBuffer dst) throws FuseErrnoException {
        Session s = session(fh);
        int reader = processOf.applyAsInt(caller.pid());
        Reply r;
        synchronized (s) {
            r = s.byWriter.getOrDefault(reader, s.latest);
        }
        if (r.stream != null) {
            // outside the session's lock: this read may wait for the producer, and no other reader may wait behind it
            try {
                return r.stream.read(dst);
            } catch (IOException e) {
                throw new FuseErrnoException(Errno.EIO, "the reply failed while streaming: " + e.getMessage());
            }
        }
        synchronized (s) {
            int n = Math.min(dst.remaining(), r.bytes.length - r.cursor);
            dst.put(r.bytes, r.cursor, n);
            r.cursor += n;
            if (r.cursor == r.bytes.length && n > 0) {
                // read to the end: only the fact that it was is still needed (further reads see EOF)
                r.bytes = new byte[0];
                r.cursor = 0;
            }
            return n;
        }
    }

    public void release(long fh) {
        Session s = sessions.remove(fh);
        if (s != null) {
            synchronized (s) {
                s.cancelAll();
            }
        }
    }

    private int refuse(Session s, int writer, ControlRefusal r) throws FuseErrnoException {
        answer(s, writer, r.reply());
        throw new FuseErrnoException(r.errno(), r.getMessage());
    }

    private static void answer(Session s, int writer, ControlReply reply) {
        Reply r = reply.stream() != null
                ? new Reply(null, StreamedReply.start(reply.node().path("verb").asText(), reply.stream()))
                : new Reply(reply.bytes(), null);
        synchronized (s) {
            Reply before = s.byWriter.put(writer, r);
            if (before != null && before != r) {
                before.cancel(); // its writer sent another command: nobody reads the old reply any more
            }
            s.latest = r;
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
