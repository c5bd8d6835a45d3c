package io.txfs.core;

import io.txfs.core.model.Clock;
import io.txfs.core.model.EngineListener;
import io.txfs.core.model.FaultInjector;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.store.Store;
import java.nio.file.Path;

/** How to open an engine ({@link Engine#open}). store null means RocksDB in stateDir/db. */
public record EngineConfig(
        Path backing,
        Path stateDir,
        Store store,
        Clock clock,
        FaultInjector faults,
        EngineListener listener,
        GcPolicy gc,
        LongWorks works) {
    public EngineConfig {
        if (works == null) works = LongWorks.system();
        if (clock == null) clock = Clock.SYSTEM;
        if (faults == null) faults = FaultInjector.NONE;
        if (listener == null) listener = EngineListener.NONE;
        if (gc == null) gc = GcPolicy.DEFAULT;
    }

    public static EngineConfig rocks(Path backing, Path stateDir) {
        return new EngineConfig(backing, stateDir, null, null, null, null, null, null);
    }

    /** Over {@code store} with no state directory (tests, tools): data files live in the store's memory. */
    public static EngineConfig memory(Path backing, Store store) {
        return new EngineConfig(backing, null, store, null, null, null, null, null);
    }

    public EngineConfig withFaults(FaultInjector f) {
        return new EngineConfig(backing, stateDir, store, clock, f, listener, gc, works);
    }

    public EngineConfig withClock(Clock c) {
        return new EngineConfig(backing, stateDir, store, c, faults, listener, gc, works);
    }

    public EngineConfig withListener(EngineListener l) {
        return new EngineConfig(backing, stateDir, store, clock, faults, l, gc, works);
    }

    /** Where long operations (recovery at open among them) report their progress. */
    public EngineConfig withWorks(LongWorks w) {
        return new EngineConfig(backing, stateDir, store, clock, faults, listener, gc, w);
    }

    public EngineConfig withGc(GcPolicy g) {
        return new EngineConfig(backing, stateDir, store, clock, faults, listener, g, works);
    }
}
