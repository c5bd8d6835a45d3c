package io.txfs.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.Sys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Speaks to a mount's {@code .txfs/ctl} the way a shell does: open, write one command, read the reply
 * from the same descriptor. libc is called directly because the write's errno is the answer
 * (EBUSY = conflict) and java.io only offers its message text.
 */
public final class ControlClient {
    private static final int MAX_REPLY = 64 << 20;

    private ControlClient() {}

    /** Sends {@code command} to the control file at {@code ctl}; returns the reply, or throws the refusal. */
    public static JsonNode send(Path ctl, ControlCommand command) throws IOException, ControlException {
        return send(ctl, command.toLine());
    }

    public static JsonNode send(Path ctl, String line) throws IOException, ControlException {
        int fd = LibC.INSTANCE.open(ctl.toString(), Sys.O_RDWR | Sys.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + ctl + ": " + errnoName(LibC.errno()));
        }
        try {
            byte[] cmd = line.getBytes(StandardCharsets.UTF_8);
            long n = LibC.INSTANCE.write(fd, cmd, cmd.length);
            int writeErrno = n < 0 ? LibC.errno() : 0;
            String replyText = readAll(fd);
            JsonNode reply = replyText.isBlank() ? null : ControlReply.parse(replyText);
            if (n < 0) {
                String msg = reply != null && reply.hasNonNull("message")
                        ? reply.get("message").asText()
                        : errnoName(writeErrno);
                throw new ControlException(errnoName(writeErrno), msg, reply);
            }
            if (n != cmd.length) {
                throw new IOException("short write to " + ctl + ": " + n + " of " + cmd.length + " bytes");
            }
            if (reply == null) {
                throw new IOException("no reply from " + ctl);
            }
            return reply;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /**
     * Enters a view from this JVM ({@code begin}) and then re-walks the working directory: until then
     * the process's cwd still names the directory of its old view, and relative paths would resolve there.
     */
    public static JsonNode begin(Path ctl, ControlCommand begin) throws IOException, ControlException {
        if (begin.verb() != ControlVerb.BEGIN) {
            throw new IllegalArgumentException(
                    "not a begin command: " + begin.toLine().trim());
        }
        JsonNode reply = send(ctl, begin);
        String cwd = System.getProperty("user.dir");
        if (LibC.INSTANCE.chdir(cwd) != 0) {
            throw new IOException("entered the view, but cannot re-enter the working directory " + cwd + ": "
                    + errnoName(LibC.errno()));
        }
        return reply;
    }

    private static String readAll(int fd) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (true) {
            long n = LibC.INSTANCE.read(fd, buf, buf.length);
            if (n < 0) {
                throw new IOException("reading the reply: " + errnoName(LibC.errno()));
            }
            if (n == 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(buf, 0, (int) n);
            if (out.size() > MAX_REPLY) {
                throw new IOException("reply larger than " + MAX_REPLY + " bytes");
            }
        }
    }

    static String errnoName(int errno) {
        return Errno.nameOf(errno);
    }
}
