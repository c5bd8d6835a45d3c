package io.txfs.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** Our encoding of a batch is byte for byte RocksDB's own, and RocksStore applies it. */
class WriteBatchRepTest {
    @TempDir
    Path tmp;

    @Test
    void sameBytesAsRocksDbForEveryKindOfOperationAndSize() throws Exception {
        Random rnd = new Random(17);
        try (RocksStore s = new RocksStore(tmp.resolve("db"))) {
            for (int round = 0; round < 60; round++) {
                Batch b = new Batch();
                int n = rnd.nextInt(40);
                for (int i = 0; i < n; i++) {
                    ColumnFamily cf = ColumnFamily.values()[rnd.nextInt(ColumnFamily.values().length)];
                    // lengths past 127 and 16383 take two- and three-byte varints
                    byte[] key = bytes(rnd, rnd.nextInt(3) == 0 ? 100 + rnd.nextInt(20_000) : rnd.nextInt(30));
                    switch (rnd.nextInt(3)) {
                        case 0 -> b.put(cf, key, bytes(rnd, rnd.nextInt(4) == 0 ? 70_000 : rnd.nextInt(200)));
                        case 1 -> b.delete(cf, key);
                        default -> b.deleteRange(cf, key, bytes(rnd, rnd.nextInt(20)));
                    }
                }
                try (WriteBatch wb = new WriteBatch()) {
                    for (Batch.Op op : b.ops()) {
                        if (op.end() != null) wb.deleteRange(s.handle(op.cf()), op.key(), op.end());
                        else if (op.value() == null) wb.delete(s.handle(op.cf()), op.key());
                        else wb.put(s.handle(op.cf()), op.key(), op.value());
                    }
                    assertArrayEquals(wb.data(), WriteBatchRep.encode(b.ops(), s.cfIds()), "round " + round);
                }
            }
        }
    }

    @Test
    void rocksStoreAppliesEncodedBatches() {
        try (RocksStore s = new RocksStore(tmp.resolve("db"))) {
            byte[] big = bytes(new Random(3), 200_000);
            s.write(
                    new Batch()
                            .put(ColumnFamily.CHUNK, new byte[] {1}, big)
                            .put(ColumnFamily.NODE, new byte[] {2}, new byte[] {9})
                            .put(ColumnFamily.NODE, new byte[] {3}, new byte[] {8})
                            .put(ColumnFamily.NODE, new byte[] {4}, new byte[] {7}),
                    false);
            assertArrayEquals(big, s.get(ColumnFamily.CHUNK, new byte[] {1}));
            s.write(
                    new Batch()
                            .delete(ColumnFamily.NODE, new byte[] {2})
                            .deleteRange(ColumnFamily.NODE, new byte[] {3}, new byte[] {4}),
                    true);
            assertNull(s.get(ColumnFamily.NODE, new byte[] {2}));
            assertNull(s.get(ColumnFamily.NODE, new byte[] {3}));
            assertArrayEquals(new byte[] {7}, s.get(ColumnFamily.NODE, new byte[] {4}));
            assertNull(s.get(ColumnFamily.CHUNK, new byte[] {2}));
        }
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
