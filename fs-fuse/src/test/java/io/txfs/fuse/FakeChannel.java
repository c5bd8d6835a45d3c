package io.txfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An in-memory /dev/fuse: tests queue requests, readers take them, replies are collected. */
final class FakeChannel implements FuseChannel {
    private static final byte[] END = new byte[0];
    final BlockingQueue<byte[]> requests = new LinkedBlockingQueue<>();
    final BlockingQueue<ByteBuffer> replies = new LinkedBlockingQueue<>();
    volatile boolean closed;

    void send(Req r) {
        RequestBuffers tmp = new RequestBuffers(4096);
        int n = r.into(tmp);
        byte[] a = new byte[n];
        tmp.in.get(0, a);
        requests.add(a);
    }

    void sendRaw(byte[] a) {
        requests.add(a);
    }

    /** Every reader will see ENODEV, as after an unmount. */
    void unmount(int readers) {
        for (int i = 0; i < readers; i++) {
            requests.add(END);
        }
    }

    ByteBuffer reply() throws InterruptedException {
        ByteBuffer b = replies.poll(10, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no reply within 10 s");
        }
        return b;
    }

    @Override
    public int read(ByteBuffer buf) {
        try {
            byte[] a = requests.take();
            if (a == END) {
                return -19;
            }
            buf.clear();
            buf.put(0, a);
            return a.length;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -19;
        }
    }

    @Override
    public int write(ByteBuffer buf, int len) {
        ByteBuffer copy = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < len; i++) {
            copy.put(i, buf.get(i));
        }
        replies.add(copy);
        return 0;
    }

    @Override
    public FuseChannel cloneForReader() {
        return this;
    }

    @Override
    public void close() {
        closed = true;
    }
}
