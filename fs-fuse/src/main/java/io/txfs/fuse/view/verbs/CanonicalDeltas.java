package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.core.Engine;
import io.txfs.core.ViewDiff;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.engine.CallerAccessTreeSource;
import io.txfs.core.inspect.engine.PendingScopeTreeSource;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.CallerGroups;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** The canonical delta of a view's pending changes, for status and diff. */
final class CanonicalDeltas {
    private CanonicalDeltas() {}

    /** The canonical delta of a view's pending changes against its base, read as the caller may. */
    static Delta of(Engine engine, RequestContext caller, ControlCommand cmd, View v, List<DeltaEntry> pending)
            throws ControlRefusal {
        return of(engine, caller, cmd, v, pending, Normalization.of(cmd));
    }

    /** The same, with files read as {@code normalization}'s rules make them (a normalized delta id). */
    static Delta of(
            Engine engine,
            RequestContext caller,
            ControlCommand cmd,
            View v,
            List<DeltaEntry> pending,
            Normalization normalization)
            throws ControlRefusal {
        ObjectFormat format = ReplyWords.objectFormat(cmd.objects().orElse("sha1"));
        try {
            TreeSource before = new ViewTreeSource(engine, ViewDiff.baseOf(engine, v));
            TreeSource after = new ViewTreeSource(engine, v);
            PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(pending, before, after);
            Set<Long> groups = CallerGroups.of(caller);
            return new DeltaComputer(format, false)
                    .compute(
                            normalization.wrap(
                                    CallerAccessTreeSource.forCaller(scope.wrap(before), caller.uid(), groups)),
                            normalization.wrap(
                                    CallerAccessTreeSource.forCaller(scope.wrap(after), caller.uid(), groups)));
        } catch (IOException e) {
            throw Refusals.of(cmd.verb(), e);
        }
    }
}
