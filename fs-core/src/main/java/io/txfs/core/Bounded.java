package io.txfs.core;

import java.util.Collection;
import java.util.Iterator;

/** Keeps the record caches bounded without an LRU's bookkeeping on every hit. */
final class Bounded {
    private Bounded() {}

    /**
     * Past max, removes entries in the collection's own order (hash order for the concurrent maps:
     * about random) until a quarter of max is free, so a cache larger than its bound keeps most of
     * what it holds instead of starting over; amortised O(1) per insert.
     */
    static void trim(Collection<?> c, int max) {
        if (c.size() < max) return;
        int drop = c.size() - max * 3 / 4;
        Iterator<?> it = c.iterator();
        while (drop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
