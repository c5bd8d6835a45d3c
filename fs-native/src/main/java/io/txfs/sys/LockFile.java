package io.txfs.sys;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file, held until {@link #close} or until the process dies: the kernel drops it
 * then, {@code kill -9} included, so a lock never outlives its holder. One holder per file, whether the
 * other one is another process or this one (which the JDK reports as an exception, not as a busy lock).
 */
public final class LockFile implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private LockFile(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code file}, created if missing; null when someone holds it. */
    public static LockFile tryLock(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        LockFile held = null;
        try {
            held = tryLock(ch);
            return held;
        } finally {
            if (held == null) ch.close();
        }
    }

    /** Locks through {@code ch}, which the lock then owns; null (and {@code ch} still the caller's) when someone holds it. */
    public static LockFile tryLock(FileChannel ch) throws IOException {
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException heldByThisProcess) {
            l = null;
        }
        return l == null ? null : new LockFile(ch, l);
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }
}
