package io.txfs.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RocksDB's memory stays inside the budget RocksMemory sets, whatever is written and read. */
class RocksMemoryTest {
    private static final long CACHE = 16L << 20;
    private static final long MEMTABLES = 8L << 20;

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty("txfs.rocksdb.cache-mib");
        System.clearProperty("txfs.rocksdb.memtables-mib");
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static byte[] value(int i) {
        byte[] v = new byte[1000];
        Arrays.fill(v, (byte) i);
        return v;
    }

    @Test
    void memtablesAndCacheStayWithinTheBudgetWhileFortyMibAreWrittenAndRead() {
        System.setProperty("txfs.rocksdb.cache-mib", "16");
        System.setProperty("txfs.rocksdb.memtables-mib", "8");
        int n = 40_000;
        long memtablePeak = 0;
        long cachePeak = 0;
        try (RocksStore store = new RocksStore(dir.resolve("db"))) {
            StoreMemory m = store.memory();
            assertEquals(CACHE, m.cacheCapacity());
            assertEquals(MEMTABLES, m.memtableBudget());
            for (int i = 0; i < n; i += 100) {
                Batch b = new Batch();
                for (int j = i; j < i + 100; j++) {
                    b.put(ColumnFamily.NODE, key(j), value(j));
                }
                store.write(b, false);
                m = store.memory();
                memtablePeak = Math.max(memtablePeak, m.memtableUsage());
                cachePeak = Math.max(cachePeak, m.cacheUsage());
            }
            assertTrue(memtablePeak > 0, "the writes went through memtables");
            // a full budget makes RocksDB flush (and stall writers): one memtable's growth past it at most
            assertTrue(
                    memtablePeak <= MEMTABLES + RocksMemory.META_WRITE_BUFFER, "memtables peaked at " + memtablePeak);
            for (int i = 0; i < n; i += 7) {
                assertArrayEquals(value(i), store.get(ColumnFamily.NODE, key(i)));
                cachePeak = Math.max(cachePeak, store.memory().cacheUsage());
            }
            assertTrue(cachePeak <= CACHE, "the strict cache held " + cachePeak);
            assertTrue(store.memory().cacheUsage() > 0, "blocks and memtable reservations are charged to the cache");
        }
    }

    @Test
    void aMemtableBudgetThatFillsTheCacheIsRefused() {
        Assertions.assertThrows(IllegalArgumentException.class, () -> new RocksMemory(8L << 20, 8L << 20));
    }
}
