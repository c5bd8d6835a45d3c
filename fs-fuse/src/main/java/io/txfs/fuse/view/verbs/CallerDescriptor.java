package io.txfs.fuse.view.verbs;

import io.txfs.sys.LibC;
import io.txfs.sys.ProcFds;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A descriptor the calling process holds open (its stdin for {@code txfs import}), read by the daemon
 * through {@code /proc/PID/fd/N}. The daemon runs as root, and opening a /proc fd link opens the file
 * afresh: so it reads only a descriptor the caller opened for reading (not write-only, not O_PATH),
 * checked after the daemon's own open, and only when both name the same file (the caller cannot swap
 * an unreadable file in between), and only a regular file. Whoever holds a readable descriptor may read
 * the file anyway.
 */
final class CallerDescriptor extends InputStream {
    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;
    private final int fd;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private boolean closed;

    private CallerDescriptor(int fd) {
        this.fd = fd;
        buffer.limit(0);
    }

    /** The caller's descriptor is a file of a txfs mount, which the daemon must not read through. */
    static final class InsideMountException extends IOException {
        private static final long serialVersionUID = 1L;

        InsideMountException(String message) {
            super(message);
        }
    }

    /** The caller's descriptor is not a regular file: reading it could block without end. */
    static final class NotRegularException extends IOException {
        private static final long serialVersionUID = 1L;

        NotRegularException(String message) {
            super(message);
        }
    }

    static CallerDescriptor open(int pid, int callerFd) throws IOException {
        String link = "/proc/" + pid + "/fd/" + callerFd;
        // Decided from /proc alone: opening (or stat-ing) the link would already be a call into the mount.
        if (ProcFds.onTxfsMount(pid, callerFd)) {
            throw new InsideMountException(
                    "descriptor " + callerFd + " of the caller is a file inside a txfs mount, which "
                            + "the daemon never reads through (a SIGKILL while it waited on itself would hang the mount); "
                            + "txfs import spools such a file itself, or pipe it: cat FILE | txfs import VIEW");
        }
        // O_NONBLOCK: opening a FIFO without a writer must not hold a request thread; only regular files
        // are then read, since a pipe or a device could keep the daemon waiting for as long as its holder likes
        int own = LibC.INSTANCE.open(link, Sys.O_RDONLY | Sys.O_CLOEXEC | Sys.O_NONBLOCK, 0);
        if (own < 0) {
            throw new IOException("descriptor " + callerFd + " of the caller cannot be opened for reading (errno "
                    + LibC.errno() + "); give the layer on stdin: txfs import VIEW < layer.tar");
        }
        CallerDescriptor d = new CallerDescriptor(own);
        try {
            long flags = flags(pid, callerFd);
            if ((flags & Sys.O_PATH) != 0 || (flags & O_ACCMODE) == O_WRONLY) {
                throw new AccessDeniedException(
                        link, null, "the caller's descriptor " + callerFd + " is not open for reading");
            }
            if (!Files.isRegularFile(Path.of("/proc/self/fd/" + own))) {
                throw new NotRegularException(
                        "the caller's descriptor " + callerFd + " is not a regular file (a pipe or a "
                                + "device could keep the daemon waiting); txfs import spools any other stdin to a file itself");
            }
            if (!Objects.equals(identity(Path.of(link)), identity(Path.of("/proc/self/fd/" + own)))) {
                throw new AccessDeniedException(
                        link, null, "the caller's descriptor " + callerFd + " changed while it was opened");
            }
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private static long flags(int pid, int fd) throws IOException {
        return Long.parseLong(ProcFds.fdinfo(pid, fd, "flags:"), 8);
    }

    private static Map<String, Object> identity(Path p) throws IOException {
        return Files.readAttributes(p, "unix:dev,ino", new LinkOption[0]);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!buffer.hasRemaining()) {
            buffer.clear();
            long n = LibC.INSTANCE.read(fd, buffer, buffer.capacity());
            if (n < 0) {
                throw new IOException("reading the caller's descriptor: errno " + LibC.errno());
            }
            buffer.limit((int) n);
            if (n == 0) {
                return -1;
            }
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
