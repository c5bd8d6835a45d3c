package io.txfs.fuse;

import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A read-only filesystem with one file, /hello, for mount and dispatcher tests. */
class HelloFilesystem implements FuseFilesystem {
    static final long HELLO = 2;
    static final byte[] CONTENT = "hello, world\n".getBytes(StandardCharsets.UTF_8);
    static final long TTL = 0;

    static Attr attr(long node) {
        if (node == ROOT_ID) {
            return new Attr(1, 0, 0, 0, 0, 0, 0, 0, 0, 0040755, 2, 0, 0, 0, 4096);
        }
        return new Attr(HELLO, CONTENT.length, 1, 0, 0, 0, 0, 0, 0, 0100644, 1, 0, 0, 0, 4096);
    }

    @Override
    public Entry lookup(RequestContext ctx, long parent, byte[] name) throws IOException {
        if (parent == ROOT_ID && Arrays.equals(name, "hello".getBytes(StandardCharsets.UTF_8))) {
            return new Entry(HELLO, 0, attr(HELLO), TTL, TTL);
        }
        throw new FuseErrnoException(Errno.ENOENT);
    }

    @Override
    public AttrReply getattr(RequestContext ctx, long node, long fh) throws IOException {
        if (node != ROOT_ID && node != HELLO) {
            throw new FuseErrnoException(Errno.ENOENT);
        }
        return new AttrReply(attr(node), TTL);
    }

    @Override
    public OpenResult open(RequestContext ctx, long node, int flags) throws IOException {
        if ((flags & 3) != 0) {
            throw new FuseErrnoException(Errno.EACCES);
        }
        return OpenResult.of(7);
    }

    @Override
    public int read(RequestContext ctx, long node, long fh, long offset, ByteBuffer dst) {
        if (offset >= CONTENT.length) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), CONTENT.length - offset);
        dst.put(CONTENT, (int) offset, n);
        return n;
    }

    @Override
    public void readdir(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler) {
        String[] names = {".", "..", "hello"};
        long[] inos = {1, 1, HELLO};
        int[] types = {4, 4, 8};
        for (int i = (int) offset; i < names.length; i++) {
            if (!filler.add(names[i].getBytes(StandardCharsets.UTF_8), inos[i], types[i], i + 1)) {
                return;
            }
        }
    }

    @Override
    public void readdirplus(RequestContext ctx, long node, long fh, long offset, DirectoryFiller filler) {
        for (int i = (int) offset; i < 3; i++) {
            boolean added = i < 2
                    ? filler.add((i == 0 ? "." : "..").getBytes(StandardCharsets.UTF_8), 1, 4, i + 1)
                    : filler.addPlus(
                            "hello".getBytes(StandardCharsets.UTF_8),
                            new Entry(HELLO, 0, attr(HELLO), TTL, TTL),
                            i + 1);
            if (!added) {
                return;
            }
        }
    }
}
