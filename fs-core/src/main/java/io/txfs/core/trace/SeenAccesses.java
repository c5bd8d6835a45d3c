package io.txfs.core.trace;

/**
 * Which (kind, path) pairs a trace has, as 64-bit hashes in an open-addressing table: 8 to 16 bytes per
 * entry, so a build that touches a million paths costs the daemon about 16 MiB, not the paths themselves.
 * Two pairs with one hash (about one chance in 10^13 among a million) would drop the second from the trace.
 */
final class SeenAccesses {
    private long[] slots = new long[1024];
    private int size;
    private boolean hasZero;

    /** Adds the pair; false if it was there. */
    boolean add(AccessKind kind, byte[] path) {
        long h = hash(kind, path);
        if (h == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if (2 * (size + 1) > slots.length) grow();
        if (!insert(slots, h)) return false;
        size++;
        return true;
    }

    private static boolean insert(long[] table, long h) {
        int mask = table.length - 1;
        for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (table[i] == h) return false;
            if (table[i] == 0) {
                table[i] = h;
                return true;
            }
        }
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long h : slots) if (h != 0) insert(bigger, h);
        slots = bigger;
    }

    /** FNV-1a over the kind and the path, then a finalizer that spreads the bits (MurmurHash3's fmix64). */
    static long hash(AccessKind kind, byte[] path) {
        long h = 0xcbf29ce484222325L;
        h = (h ^ kind.ordinal()) * 0x100000001b3L;
        for (byte b : path) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
