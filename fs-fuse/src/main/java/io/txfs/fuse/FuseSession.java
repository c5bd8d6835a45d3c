package io.txfs.fuse;

import io.txfs.fuse.proto.Wire;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader threads serving one connection. Each thread blocks in read() on its own channel into its own
 * buffers, dispatches, and writes the reply on the same channel: no thread per request. The session
 * ends when every reader saw ENODEV (unmounted or aborted); then the filesystem's destroy() runs once
 * and the channels are closed.
 */
final class FuseSession implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(FuseSession.class);
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ENOENT = 2;
    private static final int ENODEV = 19;

    private final FuseChannel channel;
    private final Dispatcher dispatcher;
    private final FuseFilesystem fs;
    private final int readers;
    private final String name;
    private final List<Thread> threads = new ArrayList<>();
    private final List<FuseChannel> channels = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final ByteBuffer notifyBuf = ByteBuffer.allocateDirect(8192).order(ByteOrder.LITTLE_ENDIAN);

    FuseSession(FuseChannel channel, FuseFilesystem fs, Dispatcher dispatcher, int readers, String name) {
        this.channel = channel;
        this.fs = fs;
        this.dispatcher = dispatcher;
        this.readers = Math.max(1, readers);
        this.name = name;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    void start() {
        dispatcher.backingFiles(channel.backingFiles());
        running.set(readers);
        for (int i = 0; i < readers; i++) {
            FuseChannel ch = i == 0 ? channel : channel.cloneForReader();
            if (ch != channel) {
                channels.add(ch);
            }
            RequestBuffers worker = new RequestBuffers(Dispatcher.MAX_WRITE);
            Thread t = new Thread(() -> serve(ch, worker), "fuse-" + name + "-reader-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void serve(FuseChannel ch, RequestBuffers w) {
        try {
            while (true) {
                int n = ch.read(w.in);
                if (n < 0) {
                    int e = -n;
                    if (e == EINTR || e == EAGAIN || e == ENOENT) {
                        continue;
                    }
                    if (e != ENODEV) {
                        LOG.error("reading /dev/fuse failed with {}; this reader stops", Errno.nameOf(e));
                    }
                    return;
                }
                int len = dispatcher.handle(w, n);
                if (len > 0) {
                    int e = ch.write(w.out, len);
                    // ENOENT: the request was interrupted and the kernel no longer waits for it.
                    if (e < 0 && -e != ENOENT && -e != ENODEV) {
                        LOG.warn("writing a reply failed with {}", Errno.nameOf(-e));
                    }
                }
            }
        } catch (Throwable t) {
            LOG.error("reader thread died", t);
        } finally {
            if (running.decrementAndGet() == 0) {
                end();
            }
        }
    }

    private void end() {
        if (destroyed.compareAndSet(false, true)) {
            try {
                fs.destroy();
            } catch (RuntimeException e) {
                LOG.error("destroy() failed", e);
            }
            channels.forEach(FuseChannel::close);
            channel.close();
            LOG.info("FUSE session {} ended", name);
            ended.countDown();
        }
    }

    boolean hasEnded() {
        return ended.getCount() == 0;
    }

    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    @Override
    public boolean invalInode(long node, long offset, long length) throws IOException {
        synchronized (notifyBuf) {
            notifyBuf.putLong(16, node);
            notifyBuf.putLong(24, offset);
            notifyBuf.putLong(32, length);
            return notify(Wire.NOTIFY_INVAL_INODE, 40);
        }
    }

    @Override
    public boolean invalEntry(long parent, byte[] n) throws IOException {
        synchronized (notifyBuf) {
            checkName(n, 32);
            notifyBuf.putLong(16, parent);
            notifyBuf.putInt(24, n.length);
            notifyBuf.putInt(28, 0);
            notifyBuf.put(32, n);
            notifyBuf.put(32 + n.length, (byte) 0);
            return notify(Wire.NOTIFY_INVAL_ENTRY, 32 + n.length + 1);
        }
    }

    @Override
    public boolean delete(long parent, long child, byte[] n) throws IOException {
        synchronized (notifyBuf) {
            checkName(n, 40);
            notifyBuf.putLong(16, parent);
            notifyBuf.putLong(24, child);
            notifyBuf.putInt(32, n.length);
            notifyBuf.putInt(36, 0);
            notifyBuf.put(40, n);
            notifyBuf.put(40 + n.length, (byte) 0);
            return notify(Wire.NOTIFY_DELETE, 40 + n.length + 1);
        }
    }

    @Override
    public boolean expireAllEntries() throws IOException {
        synchronized (notifyBuf) {
            return notify(Wire.NOTIFY_INC_EPOCH, 16);
        }
    }

    private void checkName(byte[] n, int header) {
        if (header + n.length + 1 > notifyBuf.capacity()) {
            throw new IllegalArgumentException("name too long for a notification: " + n.length + " bytes");
        }
    }

    private boolean notify(int code, int len) throws IOException {
        if (hasEnded()) {
            throw new IOException("FUSE session " + name + " has ended");
        }
        Wire.putOutHeader(notifyBuf, len, code, 0);
        int e = channel.write(notifyBuf, len);
        if (e == 0) {
            return true;
        }
        if (-e == ENOENT) {
            return false;
        }
        throw new FuseErrnoException(-e, "notification " + code + " refused by the kernel");
    }
}
