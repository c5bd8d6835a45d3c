package io.txfs.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Flush's writer of file content: gathers adjacent pieces into large writes from one direct buffer
 * (a heap buffer would be copied into a temporary direct one by every write), and every
 * {@link #SYNC_EVERY} bytes starts an fdatasync in the background so the disk writes while flush
 * reads the next chunks, instead of all at the final fsync. {@link #finish} waits for those and
 * fsyncs; an error of a background sync is thrown there (the kernel reports a writeback error once,
 * so it must not be lost).
 */
final class FileWriter implements AutoCloseable {
    static final int BUFFER = 4 << 20;
    static final long SYNC_EVERY = 64L << 20;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final RandomAccessFile file;
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
    /** File offset of buf's first byte; -1 when buf is empty. */
    private long bufStart = -1;
    private long unsynced;
    private CompletableFuture<Void> syncing = CompletableFuture.completedFuture(null);

    private final long syncEvery;

    FileWriter(RandomAccessFile file) {
        this(file, SYNC_EVERY);
    }

    FileWriter(RandomAccessFile file, long syncEvery) {
        this.file = file;
        this.ch = file.getChannel();
        this.syncEvery = syncEvery;
    }

    /** Writes a[off, off + len) at file offset pos. */
    void write(long pos, byte[] a, int off, int len) throws IOException {
        if (len == 0) return;
        if (bufStart >= 0 && pos != bufStart + buf.position()) drain();
        while (len > 0) {
            if (bufStart < 0) bufStart = pos;
            int n = Math.min(len, buf.remaining());
            buf.put(a, off, n);
            pos += n;
            off += n;
            len -= n;
            if (!buf.hasRemaining()) drain();
        }
    }

    /** Writes len zero bytes at pos. */
    void zeros(long pos, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, ZEROS.length);
            write(pos, ZEROS, 0, n);
            pos += n;
            len -= n;
        }
    }

    private void drain() throws IOException {
        if (bufStart < 0) return;
        buf.flip();
        long pos = bufStart;
        while (buf.hasRemaining()) pos += ch.write(buf, pos);
        unsynced += pos - bufStart;
        buf.clear();
        bufStart = -1;
        if (unsynced >= syncEvery && syncing.isDone()) {
            checkSync();
            unsynced = 0;
            syncing = CompletableFuture.runAsync(() -> {
                try {
                    ch.force(false);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }, FileWriter::startDaemon);
        }
    }

    /** One short-lived thread per background sync (a few per GiB); never the shared pool, which it would block. */
    private static void startDaemon(Runnable r) {
        Thread t = new Thread(r, "txfs-flush-sync");
        t.setDaemon(true);
        t.start();
    }

    /** Writes what is buffered, sets the length, and fsyncs. */
    void finish(long size) throws IOException {
        drain();
        awaitSync();
        file.setLength(size);
        ch.force(true);
    }

    private void checkSync() throws IOException {
        if (syncing.isCompletedExceptionally()) awaitSync();
    }

    private void awaitSync() throws IOException {
        try {
            syncing.get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("waiting for a background fdatasync");
        } catch (ExecutionException ex) {
            Throwable c = ex.getCause();
            if (c instanceof UncheckedIOException u) throw u.getCause();
            throw new IOException("background fdatasync", c);
        }
    }

    /** Waits for a background sync still running (the channel is closed after this). */
    @Override
    public void close() {
        try {
            syncing.join();
        } catch (RuntimeException ignored) {
            // reported by finish() when it ran; on an earlier failure the flush fails anyway
        }
    }
}
