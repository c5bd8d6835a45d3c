package io.txfs.fuse.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NodeTableTest {
    record Key(String view, long ino) {}

    @Test
    void theSameInodeInTwoViewsGetsTwoNodeIds() {
        NodeTable<Key> t = new NodeTable<>(16);
        long a = t.acquire(new Key("a", 5)).id();
        long b = t.acquire(new Key("b", 5)).id();
        assertNotEquals(a, b);
        assertTrue(a >= 16 && b >= 16);
        assertEquals(a, t.acquire(new Key("a", 5)).id());
        assertEquals(Optional.of(new Key("b", 5)), t.key(b));
    }

    @Test
    void aNodeLivesUntilEveryLookupIsForgottenAndItsIdIsNeverReused() {
        NodeTable<Key> t = new NodeTable<>(16);
        Key k = new Key("a", 1);
        long id = t.acquire(k).id();
        t.acquire(k);
        t.forget(id, 1);
        assertEquals(Optional.of(k), t.key(id));
        t.forget(id, 1);
        assertEquals(Optional.empty(), t.key(id));
        assertEquals(Optional.empty(), t.idOf(k));
        long again = t.acquire(k).id();
        assertNotEquals(id, again);
        t.forget(12345, 1); // unknown ids are ignored
        assertEquals(1, t.size());
    }

    @Test
    void concurrentLookupsAndForgetsKeepCountsExact() throws Exception {
        NodeTable<Key> t = new NodeTable<>(16);
        Key k = new Key("a", 7);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> {
                    for (int j = 0; j < 10_000; j++) {
                        long id = t.acquire(k).id();
                        t.forget(id, 1);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, t.size(), "every acquire was matched by a forget");
        long id = t.acquire(k).id();
        assertEquals(Optional.of(k), t.key(id));
    }
}
