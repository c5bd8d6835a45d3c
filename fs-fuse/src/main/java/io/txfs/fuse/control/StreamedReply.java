package io.txfs.fuse.control;

import io.txfs.control.ControlReply;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw reply produced while it is read ({@code export}'s tar): a thread of its own writes it into a
 * bounded buffer and the reads of the control file take from it, so a reply of any size costs
 * {@link #CAPACITY} bytes of heap. The producer waits while the buffer is full; it stops with an
 * error when the reader goes away (the descriptor is released, or its writer sends another command).
 */
final class StreamedReply {
    private static final Logger log = LoggerFactory.getLogger(StreamedReply.class);
    static final int CAPACITY = 1 << 20;
    private static final AtomicLong THREADS = new AtomicLong();

    private final byte[] ring = new byte[CAPACITY];
    private int head;
    private int count;
    private boolean done;
    private boolean cancelled;
    private IOException failure;

    private StreamedReply() {}

    /** Starts {@code producer} on its own thread. */
    static StreamedReply start(String verb, ControlReply.RawProducer producer) {
        StreamedReply r = new StreamedReply();
        Thread t = new Thread(() -> r.produce(verb, producer), "txfs-" + verb + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return r;
    }

    private void produce(String verb, ControlReply.RawProducer producer) {
        try {
            producer.writeTo(new Sink());
            synchronized (this) {
                // only after a complete reply: a reader must never take a failed one's end for EOF
                done = true;
                notifyAll();
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (!cancelled) {
                    log.error("control: {} failed while streaming its reply", verb, e);
                }
                failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                notifyAll();
            }
        }
    }

    /**
     * Up to {@code dst.remaining()} bytes, waiting for at least one; 0 at the end.
     *
     * @throws IOException the producer failed: the reader must not take what it has as the whole reply
     */
    synchronized int read(ByteBuffer dst) throws IOException {
        while (count == 0 && !done && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the reply");
            }
        }
        if (failure != null) {
            throw failure;
        }
        int n = Math.min(dst.remaining(), count);
        int first = Math.min(n, CAPACITY - head);
        dst.put(ring, head, first);
        dst.put(ring, 0, n - first);
        head = (head + n) % CAPACITY;
        count -= n;
        notifyAll();
        return n;
    }

    /** The reader went away: the producer stops at its next write. */
    synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    private final class Sink extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (StreamedReply.this) {
                while (len > 0) {
                    while (count == CAPACITY && !cancelled) {
                        try {
                            StreamedReply.this.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while streaming the reply");
                        }
                    }
                    if (cancelled) {
                        throw new IOException("the reader of the reply went away");
                    }
                    int tail = (head + count) % CAPACITY;
                    int n = Math.min(len, Math.min(CAPACITY - count, CAPACITY - tail));
                    System.arraycopy(b, off, ring, tail, n);
                    count += n;
                    off += n;
                    len -= n;
                    StreamedReply.this.notifyAll();
                }
            }
        }
    }
}
