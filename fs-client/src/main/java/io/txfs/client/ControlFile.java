package io.txfs.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A mount's {@code .txfs/ctl}, spoken to as the protocol asks: open, write one command line, read the reply
 * to EOF from the same descriptor. The write's errno is the daemon's answer, but java.io only reports its
 * text; the reply read afterwards names it ({@code "error":"EBUSY"}), so the reply is read either way.
 *
 * <p>Every command gets a descriptor of its own, so one instance serves any number of threads.
 */
final class ControlFile {
    /** A reply larger than this is not one the commands used here give (status of a huge delta aside). */
    private static final int MAX_REPLY_BYTES = 256 << 20;

    private final Path ctl;

    ControlFile(Path ctl) {
        this.ctl = ctl;
    }

    Path path() {
        return ctl;
    }

    /** Sends {@code line} (no newline) and returns the successful reply, or throws the refusal. */
    JsonObject send(String line) throws IOException {
        try (FileChannel channel = FileChannel.open(ctl, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            IOException refused = write(channel, line + "\n");
            String text = readAll(channel);
            if (text.isBlank()) {
                throw refused != null ? refused : new MalformedReplyException("no reply to '" + line + "' from " + ctl);
            }
            JsonObject reply = JsonObject.parse(text);
            if (!reply.bool("ok")) {
                throw Replies.refusal(reply);
            }
            if (refused != null) {
                throw refused;
            }
            return reply;
        }
    }

    /** The write's failure (the command refused), or null; one write call, as one command is one write. */
    private static IOException write(FileChannel channel, String line) {
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        try {
            int n = channel.write(bytes);
            return n == bytes.limit()
                    ? null
                    : new IOException("short write of a command: " + n + " of " + bytes.limit() + " bytes");
        } catch (IOException refused) {
            return refused;
        }
    }

    private String readAll(FileChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buf.clear()) >= 0) {
            out.write(buf.array(), 0, buf.position());
            if (out.size() > MAX_REPLY_BYTES) {
                throw new MalformedReplyException("a reply from " + ctl + " larger than " + MAX_REPLY_BYTES + " bytes");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
