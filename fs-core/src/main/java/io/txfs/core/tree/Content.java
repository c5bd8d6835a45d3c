package io.txfs.core.tree;

import io.txfs.core.chunks.ChunkData;
import io.txfs.core.format.Keys;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FaultPoint;
import io.txfs.core.model.FsException;
import io.txfs.core.store.ColumnFamily;
import io.txfs.sys.Errno;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Chunked copy-on-write file content: reads through the chain of layers, writes into the view's own layer.
 * Chunk 0 is stored inline in its key's value ({@code [1] bytes}), so a small file costs no data file;
 * chunks 1 and up live in the (node, layer) data file ({@link ChunkData}) and their value is
 * {@code [2] validLength}: their bytes are written once, not to the WAL and again to the store's files.
 */
public final class Content {
    private static final int C = EngineConstants.CHUNK;
    static final byte INLINE = 1;
    static final byte EXTERNAL = 2;

    private Content() {}

    /** Chunk k (k >= 1) goes to the data file. */
    static boolean externalIndex(long k) {
        return k >= 1;
    }

    public static boolean isExternal(byte[] v) {
        return v[0] == EXTERNAL;
    }

    /** The stored length of a chunk value (bytes beyond it read as zeros). */
    public static int storedLength(byte[] v) {
        return switch (v[0]) {
            case INLINE -> v.length - 1;
            case EXTERNAL -> ((v[1] & 0xff) << 24) | ((v[2] & 0xff) << 16) | ((v[3] & 0xff) << 8) | (v[4] & 0xff);
            default -> throw new FsException(Errno.EIO, "chunk value of unknown format " + v[0]);
        };
    }

    static byte[] externalValue(int len) {
        return new byte[] {EXTERNAL, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
    }

    /** Where chunk k's bytes come from for a record: a layer's chunk, the backing file, or nothing (zeros). */
    private record Source(byte[] value, long layer, int len) {}

    private static final Source ZEROS = new Source(null, -1, 0);

    private static Source locate(EngineState e, long id, NodeRecord r, long k) {
        for (int i = 0; i < r.chainLayer.length; i++) {
            byte[] v = e.store.get(ColumnFamily.CHUNK, Keys.chunk(id, k, r.chainLayer[i]));
            if (v == null) continue;
            long valid = Math.max(0, Math.min(storedLength(v), r.chainValid[i] - k * C));
            return new Source(v, r.chainLayer[i], (int) valid);
        }
        if (r.hasBase && k * C < r.baseValid) {
            return new Source(null, 0, (int) Math.min(C, r.baseValid - k * C));
        }
        return ZEROS;
    }

    /**
     * Copies bytes [from, from + n) of chunk k (relative to the chunk) from its source into a fresh dst at
     * off (bytes the source lacks stay as they are: zeros).
     */
    private static void copy(
            EngineState e, long id, NodeRecord r, long k, Source s, int from, int n, byte[] dst, int off) {
        if (n <= 0) return;
        copy(e, id, r, k, s, from, n, ByteBuffer.wrap(dst, off, n));
    }

    /** The bytes of chunk k as the record sees them; shorter than a chunk means zeros follow. */
    public static byte[] chunk(EngineState e, long id, NodeRecord r, long k) {
        Source s = locate(e, id, r, k);
        if (s == ZEROS) return new byte[0];
        if (s.value != null && !isExternal(s.value) && s.len == s.value.length - 1)
            return Arrays.copyOfRange(s.value, 1, s.value.length);
        if (s.value == null) return e.backing.read(id, r.identity(), k * C, s.len);
        byte[] out = new byte[s.len];
        copy(e, id, r, k, s, 0, s.len, out, 0);
        return out;
    }

    public static byte[] read(EngineState e, long id, NodeRecord r, long off, int len) {
        if (off >= r.size) return new byte[0];
        byte[] out = new byte[(int) Math.min(len, r.size - off)];
        read(e, id, r, off, ByteBuffer.wrap(out));
        return out;
    }

    /**
     * Like {@link #read(EngineState, long, NodeRecord, long, int)}, into dst from its position: at most
     * dst.remaining() bytes, every one of them written (holes and the ends of short chunks as zeros: dst
     * is a reused reply buffer). Returns the count; dst's position moves past them.
     */
    public static int read(EngineState e, long id, NodeRecord r, long off, ByteBuffer dst) {
        if (off >= r.size) return 0;
        int n = (int) Math.min(dst.remaining(), r.size - off);
        int start = dst.position();
        long end = off + n;
        for (long k = off / C; k * C < end; k++) {
            Source s = locate(e, id, r, k);
            long cs = k * C;
            long from = Math.max(off, cs);
            long to = Math.min(end, cs + C);
            long dataTo = Math.min(to, cs + s.len);
            dst.position(start + (int) (from - off));
            int got = dataTo > from ? copy(e, id, r, k, s, (int) (from - cs), (int) (dataTo - from), dst) : 0;
            zeros(dst, (int) (to - from) - got);
        }
        dst.position(start + n);
        return n;
    }

    /** Puts bytes [from, from + n) of chunk k into dst; returns how many its source had (the rest are zeros). */
    private static int copy(EngineState e, long id, NodeRecord r, long k, Source s, int from, int n, ByteBuffer dst) {
        ByteBuffer part = dst.slice(dst.position(), n);
        int got;
        if (s.value == null) {
            got = e.backing.read(id, r.identity(), k * C + from, part);
        } else if (isExternal(s.value)) {
            e.chunkData.read(id, s.layer, k * C + from, part);
            got = n;
        } else {
            part.put(s.value, 1 + from, n);
            got = n;
        }
        dst.position(dst.position() + got);
        return got;
    }

    private static final byte[] ZERO_BLOCK = new byte[1 << 16];

    private static void zeros(ByteBuffer dst, int n) {
        while (n > 0) {
            int m = Math.min(n, ZERO_BLOCK.length);
            dst.put(ZERO_BLOCK, 0, m);
            n -= m;
        }
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

    /**
     * Writes data[0, len) at off; data is not kept past the call (a caller may reuse it). Returns how many
     * bytes the view's own layer stores more than before (pendingBytes): a chunk it already holds,
     * overwritten, costs nothing more; a chunk copied up costs its whole stored length.
     */
    public static long write(EngineState e, ViewOperation c, long id, NodeRecord m, long off, byte[] data, int len) {
        ensureOwnLayer(m, c.layer);
        long end = off + len;
        long oldSize = m.size;
        FileWrites files = new FileWrites(e.chunkData, id, c.layer);
        long grown = 0;
        for (long k = off / C; k * C < end; k++) {
            long cs = k * C;
            long ws = Math.max(off, cs);
            long we = Math.min(end, cs + C);
            int oldLen = (int) Math.max(0, Math.min(C, oldSize - cs));
            int newLen = (int) Math.max(oldLen, we - cs);
            byte[] key = Keys.chunk(id, k, c.layer);
            if (!externalIndex(k)) {
                byte[] ownInline = e.store.get(ColumnFamily.CHUNK, key);
                grown += newLen - (ownInline == null ? 0 : storedLength(ownInline));
                byte[] buf = new byte[1 + newLen];
                buf[0] = INLINE;
                if (!(ws == cs && we - cs >= oldLen)) {
                    Source old = locate(e, id, m, k);
                    copy(e, id, m, k, old, 0, Math.min(old.len, oldLen), buf, 1);
                }
                System.arraycopy(data, (int) (ws - off), buf, 1 + (int) (ws - cs), (int) (we - ws));
                c.batch.put(ColumnFamily.CHUNK, key, buf);
                continue;
            }
            byte[] own = e.store.get(ColumnFamily.CHUNK, key);
            if (own != null && isExternal(own)) {
                // the view's own chunk: change the written bytes in place (a layer has one writer)
                int have = storedLength(own);
                if (ws - cs > have) files.zeros(cs + have, (int) (ws - cs - have));
                files.add(ws, data, (int) (ws - off), (int) (we - ws));
                if (we - cs > have) {
                    c.batch.put(ColumnFamily.CHUNK, key, externalValue((int) (we - cs)));
                    grown += we - cs - have;
                }
            } else if (own == null && ws == cs && we - cs >= oldLen) {
                // covers everything the chunk held: nothing to copy up
                files.add(ws, data, (int) (ws - off), (int) (we - ws));
                c.batch.put(ColumnFamily.CHUNK, key, externalValue((int) (we - cs)));
                grown += we - cs;
            } else {
                // copy-up (or an inline chunk from before data files): merge the old bytes, write the chunk whole
                byte[] buf = new byte[newLen];
                Source old = locate(e, id, m, k);
                copy(e, id, m, k, old, 0, Math.min(old.len, oldLen), buf, 0);
                System.arraycopy(data, (int) (ws - off), buf, (int) (ws - cs), (int) (we - ws));
                files.add(cs, buf, 0, newLen);
                c.batch.put(ColumnFamily.CHUNK, key, externalValue(newLen));
                grown += newLen - (own == null ? 0 : storedLength(own));
            }
        }
        if (files.flush()) e.faults.reached(FaultPoint.WRITE_AFTER_CHUNK_DATA);
        m.size = Math.max(oldSize, end);
        e.touch(c, m);
        return grown;
    }

    /** Coalesces the file writes of one call: contiguous pieces of the same array become one pwrite. */
    private static final class FileWrites {
        private final ChunkData data;
        private final long id;
        private final long layer;
        private byte[] src;
        private long pos;
        private int off;
        private int len;

        FileWrites(ChunkData data, long id, long layer) {
            this.data = data;
            this.id = id;
            this.layer = layer;
        }

        void add(long at, byte[] s, int o, int n) {
            if (n == 0) return;
            if (src == s && pos + len == at && off + len == o) {
                len += n;
                return;
            }
            flush();
            src = s;
            pos = at;
            off = o;
            len = n;
        }

        void zeros(long at, int n) {
            add(at, new byte[n], 0, n);
        }

        private boolean wrote;

        /** Writes what is pending; true if this call wrote anything to the file at all. */
        boolean flush() {
            if (src != null && len > 0) {
                data.write(id, layer, pos, src, off, len);
                wrote = true;
            }
            src = null;
            len = 0;
            return wrote;
        }
    }

    public static void truncate(EngineState e, ViewOperation c, long id, NodeRecord m, long n) {
        if (n < 0) throw new FsException(Errno.EINVAL, "negative size");
        if (n > EngineConstants.MAX_FILE_SIZE) throw new FsException(Errno.EFBIG, "size beyond the maximum file size");
        if (n < m.size) {
            boolean own = m.chainLayer.length > 0 && m.chainLayer[0] == c.layer;
            if (own) {
                c.bytes -= OwnLayerSpace.deleteLayerChunks(e.store, c.batch, id, c.layer, (n + C - 1) / C);
                if (n % C != 0) {
                    byte[] key = Keys.chunk(id, n / C, c.layer);
                    byte[] v = e.store.get(ColumnFamily.CHUNK, key);
                    if (v != null && storedLength(v) > n % C) {
                        // an external chunk keeps its bytes beyond the cut in the file: a later write zeroes the gap
                        c.batch.put(
                                ColumnFamily.CHUNK,
                                key,
                                isExternal(v) ? externalValue((int) (n % C)) : Arrays.copyOf(v, 1 + (int) (n % C)));
                        c.bytes -= storedLength(v) - n % C;
                    }
                }
                if (n <= C) {
                    // no external chunk of this layer is left: the data file goes (its disk space with it)
                    c.afterCommit.add(() -> e.chunkData.delete(id, c.layer));
                }
            }
            for (int i = own ? 1 : 0; i < m.chainLayer.length; i++) m.chainValid[i] = Math.min(m.chainValid[i], n);
            m.baseValid = Math.min(m.baseValid, n);
        }
        m.size = n;
        e.touch(c, m);
    }
}
