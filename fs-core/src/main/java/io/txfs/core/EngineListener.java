package io.txfs.core;

/** Told after a view's visible state changed without the view asking (a publish seen read-committed). */
public interface EngineListener {
    void visibleChange(String view, ChangeSet changes);

    EngineListener NONE = (view, changes) -> {};
}
