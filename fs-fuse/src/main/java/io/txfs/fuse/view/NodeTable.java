package io.txfs.fuse.view;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kernel node ids for keys (a view and an inode of that view): each key gets its own id, so the kernel
 * keeps a separate inode, page cache and dentries per view. Ids count the kernel's lookups and are
 * dropped when it forgets them all; an id is never reused within a daemon's life, so a late request
 * for a forgotten id cannot reach another key.
 */
public final class NodeTable<K> {
    /** A node the kernel knows: its id, its key, and how many lookups the kernel holds on it. */
    public static final class Node<K> {
        private final long id;
        private final K key;
        private long lookups;

        private Node(long id, K key) {
            this.id = id;
            this.key = key;
        }

        public long id() {
            return id;
        }

        public K key() {
            return key;
        }
    }

    private final Map<K, Node<K>> byKey = new ConcurrentHashMap<>();
    private final Map<Long, Node<K>> byId = new ConcurrentHashMap<>();
    private final AtomicLong nextId;

    /** @param firstId the lowest id to hand out; ids below it are the caller's fixed nodes (root, control files) */
    public NodeTable(long firstId) {
        this.nextId = new AtomicLong(firstId);
    }

    /** The node for {@code key}, created if new, with one more lookup counted (a LOOKUP/CREATE reply is about to name it). */
    public Node<K> acquire(K key) {
        while (true) {
            Node<K> n = byKey.computeIfAbsent(key, k -> {
                Node<K> fresh = new Node<>(nextId.getAndIncrement(), k);
                byId.put(fresh.id, fresh);
                return fresh;
            });
            synchronized (n) {
                if (byKey.get(key) == n) {
                    n.lookups++;
                    return n;
                }
            }
            // forgotten between computeIfAbsent and the lock: take a fresh node
        }
    }

    /** The key behind a node id the kernel sent, if the kernel may still use it. */
    public Optional<K> key(long id) {
        Node<K> n = byId.get(id);
        return n == null ? Optional.empty() : Optional.of(n.key);
    }

    /** The id of {@code key} if the kernel knows it (for invalidations), without counting a lookup. */
    public Optional<Long> idOf(K key) {
        Node<K> n = byKey.get(key);
        return n == null ? Optional.empty() : Optional.of(n.id);
    }

    /**
     * The kernel dropped {@code count} lookups of {@code id}; at zero the node is gone and its key is
     * returned (the kernel holds no name or descriptor of it any more).
     */
    public Optional<K> forget(long id, long count) {
        Node<K> n = byId.get(id);
        if (n == null) {
            return Optional.empty();
        }
        synchronized (n) {
            n.lookups -= count;
            if (n.lookups <= 0) {
                byId.remove(id);
                byKey.remove(n.key, n);
                return Optional.of(n.key);
            }
        }
        return Optional.empty();
    }

    public int size() {
        return byId.size();
    }
}
