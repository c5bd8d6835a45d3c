package io.txfs.core.store;

/**
 * What a store holds in memory against its budget, for {@code txfs stats}: the shared block cache's
 * capacity and usage (memtable reservations included) and the memtables' own size and budget.
 * All zero for a store without such a budget (the in-memory store of tests).
 */
public record StoreMemory(
        long cacheCapacity, long cacheUsage, long cachePinned, long memtableBudget, long memtableUsage) {
    public static final StoreMemory NONE = new StoreMemory(0, 0, 0, 0, 0);
}
