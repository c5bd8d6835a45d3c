package io.txfs.fuse;

import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A /dev/fuse descriptor: the session's own, or a FUSE_DEV_IOC_CLONE of it for one reader. */
final class DevFuseChannel implements FuseChannel {
    private static final Logger LOG = LoggerFactory.getLogger(DevFuseChannel.class);
    private static final LibC C = LibC.INSTANCE;

    private final int fd;
    private volatile boolean closed;

    DevFuseChannel(int fd) {
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    @Override
    public int read(ByteBuffer buf) {
        long n = C.read(fd, buf.clear(), buf.capacity());
        return n < 0 ? -LibC.errno() : (int) n;
    }

    @Override
    public int write(ByteBuffer buf, int len) {
        long n = C.write(fd, buf.clear(), len);
        return n < 0 ? -LibC.errno() : 0;
    }

    @Override
    public FuseChannel cloneForReader() {
        int clone = C.open("/dev/fuse", Sys.O_RDWR | Sys.O_CLOEXEC, 0);
        if (clone < 0) {
            LOG.warn("cannot open /dev/fuse for a cloned reader ({}); sharing the session descriptor", LibC.errno());
            return this;
        }
        if (C.ioctl(clone, Sys.FUSE_DEV_IOC_CLONE, new int[] {fd}) != 0) {
            LOG.warn("FUSE_DEV_IOC_CLONE failed ({}); sharing the session descriptor", LibC.errno());
            C.close(clone);
            return this;
        }
        return new DevFuseChannel(clone);
    }

    @Override
    public BackingFiles backingFiles() {
        return new BackingFiles() {
            @Override
            public int open(int backingFd) throws IOException {
                // struct fuse_backing_map: fd@0 (s32), flags@4, padding@8 (u64)
                ByteBuffer map = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
                map.putInt(0, backingFd).putInt(4, 0).putLong(8, 0);
                int id = C.ioctl(fd, Sys.FUSE_DEV_IOC_BACKING_OPEN, map);
                if (id < 0) {
                    throw new FuseErrnoException(LibC.errno(), "FUSE_DEV_IOC_BACKING_OPEN");
                }
                return id;
            }

            @Override
            public void close(int backingId) {
                if (C.ioctl(fd, Sys.FUSE_DEV_IOC_BACKING_CLOSE, new int[] {backingId}) != 0) {
                    LOG.warn("FUSE_DEV_IOC_BACKING_CLOSE of {} failed: {}", backingId, Errno.nameOf(LibC.errno()));
                }
            }
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            C.close(fd);
        }
    }
}
