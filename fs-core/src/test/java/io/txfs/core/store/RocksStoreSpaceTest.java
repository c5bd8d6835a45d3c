package io.txfs.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL stays bounded while one family is written and another idles; compact() gives deleted values back. */
class RocksStoreSpaceTest {
    private static final int VALUE = 64 << 10;
    private static final int VALUES = 6400; // 400 MiB

    @TempDir
    Path tmp;

    private static long bytes(Path db, String suffix) throws IOException {
        long n = 0;
        try (Stream<Path> files = Files.list(db)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (!p.toString().endsWith(suffix)) continue;
                try {
                    n += Files.size(p);
                } catch (NoSuchFileException gone) {
                    // deleted by RocksDB between the listing and here: it holds nothing any more
                }
            }
        }
        return n;
    }

    @Test
    void walIsBoundedAndCompactionDropsDeletedBlobs() throws Exception {
        Path db = tmp.resolve("db");
        try (RocksStore s = new RocksStore(db)) {
            // one small write to a family that then sees none: before max_total_wal_size it kept every WAL file
            Batch first = new Batch();
            first.put(ColumnFamily.VIEWS, Bytes.longs(1), new byte[] {1});
            s.write(first, false);
            byte[] value = new byte[VALUE];
            long maxWal = 0;
            for (int i = 0; i < VALUES; i++) {
                value[0] = (byte) i;
                Batch b = new Batch();
                b.put(ColumnFamily.CHUNK, Bytes.longs(i), value);
                s.write(b, false);
                if (i % 640 == 0) maxWal = Math.max(maxWal, bytes(db, ".log"));
            }
            maxWal = Math.max(maxWal, bytes(db, ".log"));
            // The flushes that release old WAL files run in the background and may lag on a loaded
            // machine; without the bound no flush ever runs and all 400 MiB stay.
            long deadline = System.nanoTime() + 60_000_000_000L;
            long settled = bytes(db, ".log");
            while (settled > 2 * RocksStore.MAX_TOTAL_WAL_BYTES && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling interval while the background flush finishes
                settled = bytes(db, ".log");
            }
            assertTrue(
                    settled <= 2 * RocksStore.MAX_TOTAL_WAL_BYTES,
                    "WAL files held " + settled + " bytes after writing " + (long) VALUE * VALUES + " (at most "
                            + maxWal + " while writing)");
            for (int i = 0; i < VALUES; i++) {
                Batch b = new Batch();
                b.delete(ColumnFamily.CHUNK, Bytes.longs(i));
                s.write(b, false);
            }
            s.compact();
            long blobs = bytes(db, ".blob");
            long wal = bytes(db, ".log");
            assertTrue(blobs < 8L << 20, "blob files after compaction: " + blobs);
            assertTrue(wal < 8L << 20, "WAL after compaction: " + wal);
            assertNotNull(s.get(ColumnFamily.VIEWS, Bytes.longs(1)));
            assertEquals(null, s.get(ColumnFamily.CHUNK, Bytes.longs(5)));
        }
    }
}
