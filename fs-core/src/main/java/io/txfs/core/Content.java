package io.txfs.core;

import io.txfs.core.store.Cf;
import java.util.Arrays;

/** Chunked copy-on-write file content: reads through the chain of layers, writes whole chunks. */
final class Content {
    private static final int C = Engine.CHUNK;

    private Content() {}

    /** Bytes [off, off + len) of array a, without copying them. */
    private record Slice(byte[] a, int off, int len) {}

    private static final Slice NONE = new Slice(new byte[0], 0, 0);

    /** The bytes of chunk k as the record sees them; shorter than a chunk means zeros follow. */
    static byte[] chunk(Engine e, long id, NodeRecord r, long k) {
        Slice s = slice(e, id, r, k);
        return s.off == 0 && s.len == s.a.length ? s.a : Arrays.copyOfRange(s.a, s.off, s.off + s.len);
    }

    /** chunk() without a copy of the stored value (a sequential read copies each byte once, into its result). */
    private static Slice slice(Engine e, long id, NodeRecord r, long k) {
        for (int i = 0; i < r.chainLayer.length; i++) {
            byte[] v = e.store.get(Cf.CHUNK, Keys.chunk(id, k, r.chainLayer[i]));
            if (v == null) continue;
            long valid = Math.max(0, Math.min(v.length - 1, r.chainValid[i] - k * C));
            return new Slice(v, 1, (int) valid);
        }
        if (r.hasBase && k * C < r.baseValid) {
            int n = (int) Math.min(C, r.baseValid - k * C);
            byte[] b = e.backing.read(id, r.identity(), k * C, n);
            return new Slice(b, 0, b.length);
        }
        return NONE;
    }

    static byte[] read(Engine e, long id, NodeRecord r, long off, int len) {
        if (off >= r.size) return new byte[0];
        int n = (int) Math.min(len, r.size - off);
        byte[] out = new byte[n];
        long end = off + n;
        for (long k = off / C; k * C < end; k++) {
            Slice data = slice(e, id, r, k);
            long cs = k * C;
            long from = Math.max(off, cs);
            long to = Math.min(end, cs + data.len);
            if (to > from) System.arraycopy(data.a, data.off + (int) (from - cs), out, (int) (from - off), (int) (to - from));
        }
        return out;
    }

    static void ensureOwnLayer(NodeRecord m, long layer) {
        if (m.chainLayer.length > 0 && m.chainLayer[0] == layer) return;
        int n = m.chainLayer.length;
        long[] l = new long[n + 1];
        long[] v = new long[n + 1];
        l[0] = layer;
        v[0] = Long.MAX_VALUE;
        System.arraycopy(m.chainLayer, 0, l, 1, n);
        System.arraycopy(m.chainValid, 0, v, 1, n);
        m.chainLayer = l;
        m.chainValid = v;
    }

    static void write(Engine e, Ctx c, long id, NodeRecord m, long off, byte[] data) {
        ensureOwnLayer(m, c.layer);
        long end = off + data.length;
        long oldSize = m.size;
        for (long k = off / C; k * C < end; k++) {
            long cs = k * C;
            long ws = Math.max(off, cs);
            long we = Math.min(end, cs + C);
            int oldLen = (int) Math.max(0, Math.min(C, oldSize - cs));
            int newLen = (int) Math.max(oldLen, we - cs);
            byte[] buf = new byte[1 + newLen];
            buf[0] = 1;
            if (!(ws == cs && we - cs >= oldLen)) {
                Slice old = slice(e, id, m, k);
                System.arraycopy(old.a, old.off, buf, 1, Math.min(old.len, oldLen));
            }
            System.arraycopy(data, (int) (ws - off), buf, 1 + (int) (ws - cs), (int) (we - ws));
            c.batch.put(Cf.CHUNK, Keys.chunk(id, k, c.layer), buf);
        }
        m.size = Math.max(oldSize, end);
        e.touch(m);
    }

    static void truncate(Engine e, Ctx c, long id, NodeRecord m, long n) {
        if (n < 0) throw new FsException(Errno.EINVAL, "negative size");
        if (n > Engine.MAX_FILE_SIZE) throw new FsException(Errno.EFBIG, "size beyond the maximum file size");
        if (n < m.size) {
            boolean own = m.chainLayer.length > 0 && m.chainLayer[0] == c.layer;
            if (own) {
                e.deleteLayerChunks(c.batch, id, c.layer, (n + C - 1) / C);
                if (n % C != 0) {
                    byte[] v = e.store.get(Cf.CHUNK, Keys.chunk(id, n / C, c.layer));
                    if (v != null && v.length - 1 > n % C) {
                        c.batch.put(Cf.CHUNK, Keys.chunk(id, n / C, c.layer), Arrays.copyOf(v, 1 + (int) (n % C)));
                    }
                }
            }
            for (int i = own ? 1 : 0; i < m.chainLayer.length; i++) m.chainValid[i] = Math.min(m.chainValid[i], n);
            m.baseValid = Math.min(m.baseValid, n);
        }
        m.size = n;
        e.touch(m);
    }
}
