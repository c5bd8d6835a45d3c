package io.txfs.core.chunks;

import io.txfs.core.model.EngineConstants;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.store.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/** ChunkData on the heap, for engines over the in-memory store (fast tests of the same code paths). */
public final class MemoryChunkData implements ChunkData {
    private static final int PAGE = EngineConstants.CHUNK;

    private record Page(long ino, long layer, long index) {}

    private final Map<Page, byte[]> pages = new ConcurrentHashMap<>();

    /** Stores that wrap a memory store (tests): one chunk data per wrapper. */
    private static final Map<Object, MemoryChunkData> BY_STORE = Collections.synchronizedMap(new WeakHashMap<>());

    /** The chunk data beside a store: it must outlive each engine, and a reopened memory store, like files would. */
    public static MemoryChunkData of(Store store) {
        if (store instanceof MemoryStore m) return (MemoryChunkData) m.beside("chunks", MemoryChunkData::new);
        return BY_STORE.computeIfAbsent(store, s -> new MemoryChunkData());
    }

    private interface PagePart {
        /** n bytes at offset at of page index; off is how far into the caller's range this part starts. */
        void run(long index, int at, int n, int off);
    }

    private static void parts(long pos, int len, PagePart part) {
        for (int done = 0; done < len; ) {
            int at = (int) ((pos + done) % PAGE);
            int n = Math.min(len - done, PAGE - at);
            part.run((pos + done) / PAGE, at, n, done);
            done += n;
        }
    }

    @Override
    public void write(long ino, long layer, long pos, byte[] src, int off, int len) {
        parts(pos, len, (index, at, n, done) -> {
            byte[] page = pages.computeIfAbsent(new Page(ino, layer, index), p -> new byte[PAGE]);
            synchronized (page) {
                System.arraycopy(src, off + done, page, at, n);
            }
        });
    }

    @Override
    public void read(long ino, long layer, long pos, byte[] dst, int off, int len) {
        parts(pos, len, (index, at, n, done) -> {
            byte[] page = pages.get(new Page(ino, layer, index));
            if (page == null) {
                Arrays.fill(dst, off + done, off + done + n, (byte) 0);
                return;
            }
            synchronized (page) {
                System.arraycopy(page, at, dst, off + done, n);
            }
        });
    }

    @Override
    public void copyTo(long ino, long layer, long pos, long len, FileChannel target, long targetPos)
            throws IOException {
        byte[] buf = new byte[(int) Math.min(len, 1 << 20)];
        while (len > 0) {
            int n = (int) Math.min(len, buf.length);
            read(ino, layer, pos, buf, 0, n);
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) targetPos += target.write(b, targetPos);
            pos += n;
            len -= n;
        }
    }

    @Override
    public void delete(long ino, long layer) {
        pages.keySet().removeIf(p -> p.ino() == ino && p.layer() == layer);
    }

    @Override
    public void sync() {}

    @Override
    public List<long[]> list() {
        List<long[]> out = new ArrayList<>();
        pages.keySet().stream()
                .map(p -> List.of(p.ino(), p.layer()))
                .distinct()
                .forEach(l -> out.add(new long[] {l.get(0), l.get(1)}));
        return out;
    }

    /** Files that exist (tests). */
    int files() {
        return list().size();
    }

    @Override
    public void close() {}
}
