package io.txfs.fuse.view;

/** The byte arrays WRITE requests are copied into. */
final class WriteBuffers {
    /** One buffer per reader thread: a 1 MiB WRITE allocated and zeroed a 1 MiB array each time. */
    private static final ThreadLocal<byte[]> WRITE_BUFFERS = ThreadLocal.withInitial(() -> new byte[0]);

    private WriteBuffers() {}

    /** This thread's buffer, at least {@code len} bytes long. */
    static byte[] get(int len) {
        byte[] b = WRITE_BUFFERS.get();
        if (b.length < len) {
            b = new byte[Math.max(len, 64 * 1024)];
            WRITE_BUFFERS.set(b);
        }
        return b;
    }
}
