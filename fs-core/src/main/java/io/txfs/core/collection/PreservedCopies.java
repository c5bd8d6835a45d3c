package io.txfs.core.collection;

import io.txfs.core.format.Keys;
import io.txfs.core.format.PreservedMarker;
import io.txfs.core.model.Identity;
import io.txfs.core.store.Batch;
import io.txfs.core.store.ColumnFamily;
import io.txfs.core.store.Store;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The chains of preserved copies (PreservedMarker): which identities a reader of some identity may
 * reach, and their removal once no remaining record can reach them.
 */
final class PreservedCopies {
    private PreservedCopies() {}

    /** The marker of id's preserved copy, null if it has none. */
    static PreservedMarker marker(Store store, Identity id) {
        byte[] m = store.get(ColumnFamily.PRESERVED, Keys.preserved(id, -1));
        return m == null ? null : PreservedMarker.decode(m);
    }

    /** Every identity a reader of one of {@code from} may read chunks of: them and their successors. */
    static Set<Identity> reachable(Store store, Collection<Identity> from) {
        Set<Identity> seen = new HashSet<>();
        Deque<Identity> todo = new ArrayDeque<>(from);
        while (!todo.isEmpty()) {
            Identity id = todo.pop();
            if (!seen.add(id)) continue;
            PreservedMarker m = marker(store, id);
            if (m != null && m.successor() != null) todo.push(m.successor());
        }
        return seen;
    }

    /**
     * Deletes, in b, the copies of {@code candidates} and of their successors that no identity in
     * {@code bases} (the bases of every remaining record of the node) reaches; returns how many copies
     * with a marker it deleted. Chunks without a marker (a stale link removed by a flush) go too.
     */
    static long dropUnreachable(Store store, Batch b, Collection<Identity> candidates, Collection<Identity> bases) {
        Set<Identity> keep = reachable(store, bases);
        Set<Identity> seen = new HashSet<>();
        Deque<Identity> todo = new ArrayDeque<>(candidates);
        long dropped = 0;
        while (!todo.isEmpty()) {
            Identity id = todo.pop();
            if (keep.contains(id) || !seen.add(id)) continue;
            PreservedMarker m = marker(store, id);
            b.deleteRange(ColumnFamily.PRESERVED, Keys.preserved(id, 0), Keys.preserved(id, -1));
            if (m == null) continue;
            b.delete(ColumnFamily.PRESERVED, Keys.preserved(id, -1));
            dropped++;
            if (m.successor() != null) todo.push(m.successor()); // reached through id alone, maybe
        }
        return dropped;
    }
}
