package io.txfs.core.progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The long operations running in one engine, so that a client other than the one that started an
 * operation (the CLI polling the control file, the mount command waiting for recovery) can show how far
 * it got. A listener hears every change; it must be cheap (it runs on the working thread).
 */
public final class LongWorks {
    /** Hears each start, step and end; the default hears nothing. */
    public interface Listener {
        void changed(LongWorks works);
    }

    private final LongSupplier nanoClock;
    private final Map<Long, LongWork> running = new ConcurrentSkipListMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile Listener listener = w -> {};

    public LongWorks(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public static LongWorks system() {
        return new LongWorks(System::nanoTime);
    }

    public void listen(Listener l) {
        listener = l == null ? w -> {} : l;
    }

    /** Registers an operation of this kind ("flush", "gc", "export", …); close it when it ends. */
    public LongWork start(String kind) {
        LongWork w = new LongWork(this, nextId.getAndIncrement(), kind, nanoClock.getAsLong());
        running.put(w.id(), w);
        listener.changed(this);
        return w;
    }

    /** What runs now, oldest first. */
    public List<WorkSnapshot> running() {
        List<WorkSnapshot> out = new ArrayList<>();
        for (LongWork w : running.values()) out.add(w.snapshot());
        return out;
    }

    public long nowNs() {
        return nanoClock.getAsLong();
    }

    void changed(LongWork w) {
        listener.changed(this);
    }

    void ended(LongWork w) {
        if (running.remove(w.id()) != null) listener.changed(this);
    }
}
