package io.txfs.fuse.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlEndpointTest {
    private final List<ControlCommand> seen = new ArrayList<>();
    private final ControlEndpoint ep = new ControlEndpoint(
            (caller, cmd) -> {
                seen.add(cmd);
                if (cmd.verb() == ControlVerb.PUBLISH && !cmd.force()) {
                    throw new ControlRefusal(
                            Errno.EBUSY,
                            ControlReply.error(cmd.verb(), "EBUSY", "conflict").putStrings("conflicts", List.of("a")));
                }
                if (cmd.verb() == ControlVerb.FLUSH) {
                    throw new IllegalStateException("boom");
                }
                return ControlReply.ok(cmd.verb()).put("view", cmd.view().orElse("mine"));
            },
            tid -> tid);
    private final RequestContext ctx = new RequestContext(1, 1000, 1000, 4242);

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private String readAll(long fh, int chunk) throws Exception {
        return readAll(ctx, fh, chunk);
    }

    private String readAll(RequestContext reader, long fh, int chunk) throws Exception {
        StringBuilder b = new StringBuilder();
        while (true) {
            ByteBuffer dst = ByteBuffer.allocate(chunk);
            int n = ep.read(reader, fh, dst);
            if (n == 0) {
                return b.toString();
            }
            b.append(new String(dst.array(), 0, n, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aCommandIsAnsweredOnTheSameDescriptorInPieces() throws Exception {
        long fh = ep.open();
        assertEquals(13, ep.write(ctx, fh, bytes("status view=x")));
        JsonNode r = ControlReply.parse(readAll(fh, 5));
        assertTrue(r.get("ok").asBoolean());
        assertEquals("x", r.get("view").asText());
        assertEquals(0, ep.read(ctx, fh, ByteBuffer.allocate(100)), "the reply is read once");
    }

    @Test
    void aRefusalFailsTheWriteWithItsErrnoAndExplainsItself() throws Exception {
        long fh = ep.open();
        FuseErrnoException e = assertThrows(FuseErrnoException.class, () -> ep.write(ctx, fh, bytes("publish\n")));
        assertEquals(Errno.EBUSY.code(), e.errno());
        JsonNode r = ControlReply.parse(readAll(fh, 4096));
        assertFalse(r.get("ok").asBoolean());
        assertEquals("a", r.get("conflicts").get(0).asText());
    }

    @Test
    void malformedInputIsEinvalAndNeverReachesTheHandler() throws Exception {
        long fh = ep.open();
        for (String bad : List.of("", "nonsense", "publish\nflush", "begin view=../x")) {
            FuseErrnoException e = assertThrows(FuseErrnoException.class, () -> ep.write(ctx, fh, bytes(bad)));
            assertEquals(Errno.EINVAL.code(), e.errno());
            assertEquals(
                    "EINVAL", ControlReply.parse(readAll(fh, 4096)).get("error").asText());
        }
        ByteBuffer huge = ByteBuffer.allocate(1 << 20);
        assertEquals(
                Errno.EINVAL.code(),
                assertThrows(FuseErrnoException.class, () -> ep.write(ctx, fh, huge))
                        .errno());
        assertTrue(seen.isEmpty());
    }

    @Test
    void anUnexpectedFailureIsEioAndTheEndpointKeepsServing() throws Exception {
        long fh = ep.open();
        assertEquals(
                Errno.EIO.code(),
                assertThrows(FuseErrnoException.class, () -> ep.write(ctx, fh, bytes("flush")))
                        .errno());
        assertEquals("EIO", ControlReply.parse(readAll(fh, 4096)).get("error").asText());
        assertEquals(5, ep.write(ctx, fh, bytes("views")));
        assertTrue(ControlReply.parse(readAll(fh, 4096)).get("ok").asBoolean());
    }

    @Test
    void sessionsAreIndependentAndReleased() throws Exception {
        long a = ep.open();
        long b = ep.open();
        ep.write(ctx, a, bytes("status view=a"));
        ep.write(ctx, b, bytes("status view=b"));
        assertEquals("b", ControlReply.parse(readAll(b, 4096)).get("view").asText());
        assertEquals("a", ControlReply.parse(readAll(a, 4096)).get("view").asText());
        ep.release(a);
        ep.release(b);
        assertEquals(0, ep.openSessions());
        assertEquals(
                Errno.EBADF.code(),
                assertThrows(FuseErrnoException.class, () -> ep.read(ctx, a, ByteBuffer.allocate(1)))
                        .errno());
    }

    @Test
    void processesSharingADescriptorEachReadTheReplyToTheirOwnCommand() throws Exception {
        RequestContext first = new RequestContext(2, 0, 0, 100);
        RequestContext second = new RequestContext(3, 0, 0, 200);
        RequestContext neither = new RequestContext(4, 0, 0, 300);
        long fh = ep.open();
        ep.write(first, fh, bytes("status view=first"));
        ByteBuffer piece = ByteBuffer.allocate(5);
        assertEquals(5, ep.read(first, fh, piece), "the first reads a piece of its reply");
        ep.write(second, fh, bytes("status view=second"));
        String rest = readAll(first, fh, 7);
        assertEquals(
                "first",
                ControlReply.parse(new String(piece.array(), StandardCharsets.UTF_8) + rest)
                        .get("view")
                        .asText(),
                "the first reads the rest of its own reply, not the second's");
        assertEquals(
                "second", ControlReply.parse(readAll(second, fh, 7)).get("view").asText());
        assertEquals(0, ep.read(first, fh, ByteBuffer.allocate(10)), "each reply is read once");
        ep.write(second, fh, bytes("status view=again"));
        assertEquals(
                "again",
                ControlReply.parse(readAll(neither, fh, 4096)).get("view").asText(),
                "a process that wrote nothing reads the last reply written on the descriptor");
    }
}
