package io.txfs.core.chunks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * Bytes of chunks stored outside the key-value store: one sparse data file per (node, layer), chunk k at
 * offset k * CHUNK (docs/storage-format.md, "Chunk data files"). The store's chunk key then holds only
 * the chunk's valid length. A layer is written only by the one view whose pending delta it is, and is
 * frozen once published or discarded, so a write into the view's own layer may change these bytes in
 * place. Implementations are thread-safe; failures are FsExceptions (EIO, ENOSPC).
 */
public interface ChunkData extends AutoCloseable {
    /** Writes src[off, off + len) at pos of (ino, layer)'s file; the bytes survive a SIGKILL once this returns. */
    void write(long ino, long layer, long pos, byte[] src, int off, int len);

    /** Fills dst[off, off + len) from pos; bytes never written read as zeros. */
    void read(long ino, long layer, long pos, byte[] dst, int off, int len);

    /** Fills all of dst's remaining bytes from pos, moving its position; bytes never written read as zeros. */
    default void read(long ino, long layer, long pos, ByteBuffer dst) {
        byte[] b = new byte[dst.remaining()];
        read(ino, layer, pos, b, 0, b.length);
        dst.put(b);
    }

    /** Copies len bytes at pos to target at targetPos (flush). */
    void copyTo(long ino, long layer, long pos, long len, FileChannel target, long targetPos) throws IOException;

    /** Removes (ino, layer)'s file; no key may name it any more. */
    void delete(long ino, long layer);

    /**
     * Makes every write that returned so far survive power loss. Runs before the store makes anything
     * durable that may name these bytes: synced batches, WAL syncs, memtable flushes.
     */
    void sync();

    /** Every (ino, layer) that has a file, for the sweep at open. */
    List<long[]> list();

    @Override
    void close();
}
