package io.txfs.core;

import io.txfs.core.tree.View;

/**
 * Read-only handles on a view as it reads now: its pending delta over the published version it sees at
 * this moment. A read-committed view reads each newer publish at its next access; an open file of such
 * a view must not, or a reader reading the file in several calls gets parts of two versions (a local
 * filesystem's open descriptor keeps the file it opened, too).
 */
public final class PinnedViews {
    private PinnedViews() {}

    /**
     * Ends a pin early: its version may be collected and flush stops preserving old content for it.
     * Without this, a pin ends when the handle is no longer reachable (the JVM collected it).
     */
    public static void release(Engine e, View pinned) {
        e.collector.unpin(pinned);
    }

    /** {@code v} with its published version fixed at the one it reads now; use it for reads only. */
    public static View pin(Engine e, View v) {
        // registered with the collector, which keeps this version readable while the handle is reachable
        return e.collector.pin(() -> v.frozenAt(e.tree.readCtx(v).snap));
    }
}
