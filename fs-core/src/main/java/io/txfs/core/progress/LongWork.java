package io.txfs.core.progress;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One long operation as it runs (a flush, a collection, an export, an import, a hash of the backing
 * directory, recovery at open): what it has done and, where known, what it will do. Written by the
 * one thread doing the work, read by any thread asking how far it got, so every counter is atomic and
 * a reader may see items of one phase with bytes of the next: progress is a hint, never a result.
 */
public final class LongWork implements AutoCloseable {
    /** A total not known in advance (a walk of the backing directory, a tar read from a pipe). */
    public static final long UNKNOWN = -1;

    private final LongWorks owner;
    private final long id;
    private final String kind;
    private final long startedNs;
    private volatile String phase = "";
    private volatile long phaseStartedNs;
    private final AtomicLong itemsDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private volatile long itemsTotal = UNKNOWN;
    private volatile long bytesTotal = UNKNOWN;

    /** A work nobody watches: for code paths that report progress only when someone started a work. */
    public static LongWork unwatched() {
        return new LongWork(new LongWorks(() -> 0), 0, "unwatched", 0);
    }

    LongWork(LongWorks owner, long id, String kind, long startedNs) {
        this.owner = owner;
        this.id = id;
        this.kind = kind;
        this.startedNs = startedNs;
        this.phaseStartedNs = startedNs;
    }

    /** Starts a phase: its counters begin at zero, its totals are {@link #UNKNOWN} or known. */
    public LongWork phase(String name, long items, long bytes) {
        phase = name;
        phaseStartedNs = owner.nowNs();
        itemsDone.set(0);
        bytesDone.set(0);
        itemsTotal = items;
        bytesTotal = bytes;
        owner.changed(this);
        return this;
    }

    /** Sets the totals once they are known, keeping what is done so far. */
    public void totals(long items, long bytes) {
        itemsTotal = items;
        bytesTotal = bytes;
        owner.changed(this);
    }

    public void advance(long items, long bytes) {
        itemsDone.addAndGet(items);
        bytesDone.addAndGet(bytes);
        owner.changed(this);
    }

    public WorkSnapshot snapshot() {
        return new WorkSnapshot(
                id, kind, phase, itemsDone.get(), itemsTotal, bytesDone.get(), bytesTotal, startedNs, phaseStartedNs);
    }

    @Override
    public void close() {
        owner.ended(this);
    }

    long id() {
        return id;
    }
}
