package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.Isolation;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.tree.View;
import io.txfs.core.tree.ViewOptions;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A view begun with durability none: its fsyncs do not sync; every other view's still do; the flag is kept. */
class DurabilityNoneTest {
    @TempDir
    Path backing;

    /** A memory store that counts the WAL syncs it is asked for. */
    static final class CountingStore extends ForwardingStore {
        final AtomicInteger syncs = new AtomicInteger();

        @Override
        public void syncWal() {
            syncs.incrementAndGet();
            super.syncWal();
        }
    }

    @Test
    void fsyncsOfAScratchViewReturnAtOnce() {
        CountingStore store = new CountingStore();
        try (Engine engine = Engine.open(EngineConfig.memory(backing, store))) {
            View scratch = engine.createView("scratch", Isolation.SNAPSHOT, 0, ViewOptions.DEFAULT.withSyncs(false));
            View durable = engine.createView("durable", Isolation.SNAPSHOT, 0);
            new TestFs(engine, scratch).write("f", "x");
            new TestFs(engine, durable).write("g", "y");
            int before = store.syncs.get();
            engine.fsync(scratch);
            assertEquals(before, store.syncs.get(), "no sync for the scratch view");
            engine.fsync(durable);
            assertEquals(before + 1, store.syncs.get(), "a sync for the other");

            ViewInfo info = engine.listViews().stream()
                    .filter(i -> i.name().equals("scratch"))
                    .findFirst()
                    .orElseThrow();
            assertFalse(info.syncs());
            View decoded = View.decode("scratch", scratch.encode());
            assertFalse(decoded.syncs, "kept in the view's record");
            assertEquals(3, scratch.encode()[0]);
            assertTrue(View.decode("durable", durable.encode()).syncs);
        }
    }
}
