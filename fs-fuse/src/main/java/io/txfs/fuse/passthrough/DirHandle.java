package io.txfs.fuse.passthrough;

import io.txfs.fuse.FuseErrnoException;
import io.txfs.sys.LibC;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An open backing directory and the listing READDIR serves from: taken at offset 0 (opendir or
 * rewinddir), sorted by name bytes, so offsets are indexes and stay stable across calls.
 */
final class DirHandle {
    private static final LibC C = LibC.INSTANCE;

    private final int fd;
    private volatile Listing listing;

    DirHandle(int fd) {
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    Listing listing() {
        return listing;
    }

    /** Reads the directory when asked to restart or when nothing was read yet. */
    synchronized void load(boolean restart, ByteBuffer buf) throws FuseErrnoException {
        if (!restart && listing != null) {
            return;
        }
        if (C.lseek(fd, 0, 0) < 0) {
            throw new FuseErrnoException(LibC.errno());
        }
        List<byte[]> names = new ArrayList<>();
        List<long[]> meta = new ArrayList<>();
        while (true) {
            long n = C.getdents64(fd, buf.clear(), buf.capacity());
            if (n < 0) {
                throw new FuseErrnoException(LibC.errno());
            }
            if (n == 0) {
                break;
            }
            // struct linux_dirent64: d_ino@0 d_off@8 d_reclen@16 (u16) d_type@18 (u8) d_name@19
            for (int off = 0; off < n; ) {
                int reclen = buf.getShort(off + 16) & 0xffff;
                int nameStart = off + 19;
                int nameEnd = nameStart;
                while (buf.get(nameEnd) != 0) {
                    nameEnd++;
                }
                byte[] name = new byte[nameEnd - nameStart];
                buf.get(nameStart, name);
                names.add(name);
                meta.add(new long[] {buf.getLong(off), buf.get(off + 18) & 0xff});
                off += reclen;
            }
        }
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(names.get(a), names.get(b)));
        byte[][] sortedNames = new byte[order.length][];
        long[] inos = new long[order.length];
        int[] types = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sortedNames[i] = names.get(order[i]);
            inos[i] = meta.get(order[i])[0];
            types[i] = (int) meta.get(order[i])[1];
        }
        listing = new Listing(sortedNames, inos, types);
    }

    static final class Listing {
        private final byte[][] names;
        private final long[] inos;
        private final int[] types;

        Listing(byte[][] names, long[] inos, int[] types) {
            this.names = names;
            this.inos = inos;
            this.types = types;
        }

        int size() {
            return names.length;
        }

        byte[] name(int i) {
            return names[i];
        }

        long ino(int i) {
            return inos[i];
        }

        int type(int i) {
            return types[i];
        }
    }
}
