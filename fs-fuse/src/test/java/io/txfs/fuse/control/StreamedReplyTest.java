package io.txfs.fuse.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.control.ControlReply;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.sys.Errno;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A streamed reply through the control endpoint: any size, bounded memory, failures and readers that leave. */
class StreamedReplyTest {
    private final RequestContext ctx = new RequestContext(1, 1000, 1000, 4242);

    /** Byte i of the test payload: varies with i so a lost or repeated piece shows. */
    private static byte at(long i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    private static ControlEndpoint endpoint(ControlReply.RawProducer producer) {
        return new ControlEndpoint((caller, cmd) -> ControlReply.streamed(cmd.verb(), producer), tid -> tid);
    }

    private static ByteBuffer line(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aReplyManyTimesTheBufferIsReadWholeWhileTheProducerWaits() throws Exception {
        long size = 5L * StreamedReply.CAPACITY + 12345;
        AtomicLong aheadMax = new AtomicLong();
        AtomicLong read = new AtomicLong();
        ControlEndpoint ep = endpoint(out -> {
            byte[] piece = new byte[70_000];
            for (long pos = 0; pos < size; ) {
                int n = (int) Math.min(piece.length, size - pos);
                for (int i = 0; i < n; i++) {
                    piece[i] = at(pos + i);
                }
                out.write(piece, 0, n);
                pos += n;
                // what the producer got ahead of the reader's count: the buffer, plus one write and the read
                // the reader is still checking
                aheadMax.accumulateAndGet(pos - read.get(), Math::max);
            }
        });
        long fh = ep.open();
        ep.write(ctx, fh, line("export format=oci-tar"));
        long total = 0;
        ByteBuffer dst = ByteBuffer.allocate(128 * 1024);
        while (true) {
            dst.clear();
            int n = ep.read(ctx, fh, dst);
            if (n == 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (dst.get(i) != at(total + i)) {
                    throw new AssertionError("byte " + (total + i) + " differs");
                }
            }
            total += n;
            read.set(total);
        }
        assertEquals(size, total);
        assertTrue(
                aheadMax.get() <= StreamedReply.CAPACITY + 70_000 + dst.capacity(),
                "the producer ran ahead by " + aheadMax.get());
        assertEquals(0, ep.read(ctx, fh, ByteBuffer.allocate(10)), "EOF stays EOF");
    }

    @Test
    void aProducerThatFailsMidwayIsTheReadersEioNotAShortReply() throws Exception {
        ControlEndpoint ep = endpoint(out -> {
            out.write(new byte[1000]);
            throw new IOException("the file changed while exporting");
        });
        long fh = ep.open();
        ep.write(ctx, fh, line("export format=oci-tar"));
        FuseErrnoException e = assertThrows(FuseErrnoException.class, () -> {
            while (ep.read(ctx, fh, ByteBuffer.allocate(4096)) > 0) {
                // drain until the failure arrives
            }
        });
        assertEquals(Errno.EIO.code(), e.errno());
    }

    @Test
    void releasingTheDescriptorStopsTheProducer() throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        ControlEndpoint ep = endpoint(out -> {
            try {
                byte[] piece = new byte[64 * 1024];
                while (true) {
                    out.write(piece);
                }
            } catch (IOException e) {
                ended.complete(e);
                throw e;
            }
        });
        long fh = ep.open();
        ep.write(ctx, fh, line("export format=oci-tar"));
        assertTrue(ep.read(ctx, fh, ByteBuffer.allocate(4096)) > 0);
        ep.release(fh);
        Throwable t = ended.get(30, TimeUnit.SECONDS);
        assertTrue(t.getMessage().contains("went away"), t.toString());
    }

    @Test
    void aSmallReplyArrivesWhole() throws Exception {
        ControlEndpoint ep = endpoint(out -> out.write("{\"delta_id\":\"x\"}\nTAR".getBytes(StandardCharsets.UTF_8)));
        long fh = ep.open();
        ep.write(ctx, fh, line("export format=oci-tar canonical"));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(7);
        int n;
        while ((n = ep.read(ctx, fh, dst.clear())) > 0) {
            got.write(dst.array(), 0, n);
        }
        assertArrayEquals("{\"delta_id\":\"x\"}\nTAR".getBytes(StandardCharsets.UTF_8), got.toByteArray());
    }
}
