package io.txfs.fuse.view.verbs;

import io.txfs.core.Engine;
import io.txfs.core.model.ChangeSet;
import io.txfs.core.tree.View;
import io.txfs.fuse.view.Views;

/** Removing a view as abort does: publish, abort and prune remove views. */
final class ViewRemoval {
    private final VerbContext context;

    ViewRemoval(VerbContext context) {
        this.context = context;
    }

    /**
     * A view made without a name (txfs run without --view) that holds nothing and that no process is in has
     * nobody to come back for it: removed (after the publish that emptied it, e.g. `txfs publish VIEW` of an
     * orphaned run view). Named views stay until aborted: their name is how their user finds them again.
     */
    boolean removeIfAbandoned(View v) {
        if (!v.anonymous()) {
            return false;
        }
        synchronized (context.membership()) {
            if (context.views().liveness().live(v.name())) {
                return false;
            }
            boolean removed = removeIfUnchanged(v);
            if (removed) {
                ControlLog.LOG.info("removed view {}: made by txfs run, now empty, and no process is in it", v.name());
            }
            return removed;
        }
    }

    /** Removes the view as abort does if nothing is pending in it (one step in the engine); says whether it did. */
    boolean removeIfUnchanged(View v) {
        ChangeSet cs = context.engine().discardIfUnchanged(v);
        if (cs == null) {
            return false;
        }
        context.views().registry().forgetView(v.name());
        context.invalidator().invalidate(v.name(), cs);
        return true;
    }

    /** Removes a view as abort does; returns how many pending paths it discarded. */
    long remove(View v) {
        Engine engine = context.engine();
        Views views = context.views();
        long paths = engine.pendingDelta(v).size();
        // SPEC: abort removes the view entirely, not only its changes. Its processes are forgotten now,
        // so that they fall back to the default view, and never join a later view of the same name.
        ChangeSet cs = engine.discard(v);
        views.registry().forgetView(v.name());
        context.invalidator().invalidate(v.name(), cs);
        return paths;
    }
}
