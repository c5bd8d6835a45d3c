package io.txfs.core.model;

/** Told after a view's visible state changed without the view asking (a publish seen read-committed). */
public interface EngineListener {
    void visibleChange(String view, ChangeSet changes);

    /**
     * Like {@link #visibleChange} but must not wait for the change to reach anyone: called from inside a
     * filesystem operation (an outside change found while serving it), whose thread must not block on
     * what it tells the kernel.
     */
    default void visibleChangeLater(String view, ChangeSet changes) {
        visibleChange(view, changes);
    }

    EngineListener NONE = (view, changes) -> {};
}
