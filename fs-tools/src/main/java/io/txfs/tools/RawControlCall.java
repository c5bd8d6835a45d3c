package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.BadControlCommandException;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlException;
import io.txfs.control.ControlReply;
import io.txfs.sys.LibC;
import io.txfs.sys.Sys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A control command whose successful reply is raw bytes ({@code export}): write the line, then copy
 * the reply to EOF into {@code out}. A refusal is the write's errno with a JSON reply, as for every verb.
 */
final class RawControlCall {

    private RawControlCall() {}

    /** Returns the number of bytes copied. */
    static long send(Path ctl, String line, OutputStream out) {
        try {
            ControlCommand.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (BadControlCommandException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        int fd = LibC.INSTANCE.open(ctl.toString(), Sys.O_RDWR | Sys.O_CLOEXEC);
        if (fd < 0) {
            throw new UserFacingException("cannot open " + ctl + ": errno " + LibC.errno());
        }
        try {
            byte[] cmd = line.getBytes(StandardCharsets.UTF_8);
            long n = LibC.INSTANCE.write(fd, cmd, cmd.length);
            if (n < 0) {
                int errno = LibC.errno();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                copy(fd, err);
                String text = err.toString(StandardCharsets.UTF_8);
                JsonNode reply = text.isBlank() ? null : ControlReply.parse(text);
                String errnoName =
                        reply != null && reply.has("error") ? reply.get("error").asText() : "errno " + errno;
                String msg = reply != null && reply.hasNonNull("message")
                        ? reply.get("message").asText()
                        : errnoName;
                throw new ControlCall.RefusedException(new ControlException(errnoName, msg, reply));
            }
            if (n != cmd.length) {
                throw new UserFacingException("short write to " + ctl);
            }
            return copy(fd, out);
        } catch (IOException e) {
            throw new UserFacingException("reading the reply from " + ctl + ": " + e.getMessage(), e);
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static long copy(int fd, OutputStream out) throws IOException {
        byte[] buf = new byte[128 * 1024];
        long total = 0;
        while (true) {
            long n = LibC.INSTANCE.read(fd, buf, buf.length);
            if (n < 0) {
                throw new IOException("read: errno " + LibC.errno());
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
