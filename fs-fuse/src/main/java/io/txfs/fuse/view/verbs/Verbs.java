package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlVerb;
import java.util.EnumMap;

/** The handler of every control verb over one mount's {@link VerbContext}. */
public final class Verbs {
    private Verbs() {}

    public static EnumMap<ControlVerb, VerbHandler> handlers(VerbContext context) {
        ViewRemoval removal = new ViewRemoval(context);
        PublishVerb publish = new PublishVerb(context, removal);
        EnumMap<ControlVerb, VerbHandler> m = new EnumMap<>(ControlVerb.class);
        m.put(ControlVerb.BEGIN, new BeginVerb(context));
        m.put(ControlVerb.PUBLISH, publish);
        m.put(ControlVerb.COMMIT, new CommitVerb(context, publish));
        m.put(ControlVerb.FLUSH, new FlushVerb(context));
        m.put(ControlVerb.ABORT, new AbortVerb(context, removal));
        m.put(ControlVerb.STATUS, new StatusVerb(context));
        m.put(ControlVerb.VIEWS, new ViewsVerb(context));
        m.put(ControlVerb.DIFF, new DiffVerb(context));
        m.put(ControlVerb.HASH, new HashVerb(context));
        m.put(ControlVerb.LOG, new LogVerb(context));
        m.put(ControlVerb.EXPORT, new ExportVerb(context));
        m.put(ControlVerb.IMPORT, new ImportVerb(context));
        m.put(ControlVerb.STATS, new StatsVerb(context));
        m.put(ControlVerb.RESCAN, new RescanVerb(context));
        m.put(ControlVerb.GC, new GcVerb(context));
        m.put(ControlVerb.PRUNE, new PruneVerb(context, removal));
        m.put(ControlVerb.PROGRESS, new ProgressVerb(context));
        m.put(ControlVerb.REFRESH, new RefreshVerb(context));
        m.put(ControlVerb.TRACE, new TraceVerb(context));
        CheckpointVerb checkpoints = new CheckpointVerb(context);
        m.put(ControlVerb.CHECKPOINT, checkpoints);
        m.put(ControlVerb.ROLLBACK, checkpoints);
        m.put(ControlVerb.CHECKPOINTS, checkpoints);
        return m;
    }
}
