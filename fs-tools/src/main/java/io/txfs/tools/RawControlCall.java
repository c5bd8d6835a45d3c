package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.fuse.control.BadControlCommandException;
import io.txfs.fuse.control.ControlCommand;
import io.txfs.fuse.control.ControlException;
import io.txfs.fuse.control.ControlReply;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * A control command whose successful reply is raw bytes ({@code export}): write the line, then copy
 * the reply to EOF into {@code out}. A refusal is the write's errno with a JSON reply, as for every verb.
 */
final class RawControlCall {
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    public interface LibC {
        int open(String path, int flags);

        long write(int fd, byte[] buf, long count);

        long read(int fd, byte[] buf, long count);

        int close(int fd);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private RawControlCall() {
    }

    /** Returns the number of bytes copied. */
    static long send(Path ctl, String line, OutputStream out) {
        try {
            ControlCommand.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (BadControlCommandException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        int fd = LIBC.open(ctl.toString(), O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            throw new UserFacingException("cannot open " + ctl + ": errno " + RUNTIME.getLastError());
        }
        try {
            byte[] cmd = line.getBytes(StandardCharsets.UTF_8);
            long n = LIBC.write(fd, cmd, cmd.length);
            if (n < 0) {
                int errno = RUNTIME.getLastError();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                copy(fd, err);
                String text = err.toString(StandardCharsets.UTF_8);
                JsonNode reply = text.isBlank() ? null : ControlReply.parse(text);
                String errnoName = reply != null && reply.has("error") ? reply.get("error").asText() : "errno " + errno;
                String msg = reply != null && reply.hasNonNull("message") ? reply.get("message").asText() : errnoName;
                throw new ControlCall.RefusedException(new ControlException(errnoName, msg, reply));
            }
            if (n != cmd.length) {
                throw new UserFacingException("short write to " + ctl);
            }
            return copy(fd, out);
        } catch (IOException e) {
            throw new UserFacingException("reading the reply from " + ctl + ": " + e.getMessage(), e);
        } finally {
            LIBC.close(fd);
        }
    }

    private static long copy(int fd, OutputStream out) throws IOException {
        byte[] buf = new byte[128 * 1024];
        long total = 0;
        while (true) {
            long n = LIBC.read(fd, buf, buf.length);
            if (n < 0) {
                throw new IOException("read: errno " + RUNTIME.getLastError());
            }
            if (n == 0) {
                out.flush();
                return total;
            }
            out.write(buf, 0, (int) n);
            total += n;
        }
    }
}
