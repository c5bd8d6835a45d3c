package io.txfs.core.inspect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memoized node hashes keyed by (hash options, the source's version token), least recently used
 * evicted first. Shared by hashers and kept across calls so unchanged subtrees are not read again.
 * Thread-safe.
 */
public final class HashCache {
    private final int capacity;
    private final LinkedHashMap<Object, Object> map;
    private long hits;
    private long misses;

    public HashCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
                return size() > HashCache.this.capacity;
            }
        };
    }

    synchronized Object get(Object key) {
        Object v = map.get(key);
        if (v == null) {
            misses++;
        } else {
            hits++;
        }
        return v;
    }

    synchronized void put(Object key, Object value) {
        map.put(key, value);
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized int size() {
        return map.size();
    }
}
