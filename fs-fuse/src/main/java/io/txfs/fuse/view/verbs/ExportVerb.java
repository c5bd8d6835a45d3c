package io.txfs.fuse.view.verbs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.ViewDiff;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaComputer;
import io.txfs.core.inspect.engine.CallerAccessTreeSource;
import io.txfs.core.inspect.engine.PendingScopeTreeSource;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.inspect.oci.CountingOutputStream;
import io.txfs.core.inspect.oci.OciLayerWriter;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.ProgressOutputStream;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.CallerGroups;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * {@code export}: the view's pending delta as an OCI layer tar, the raw reply, read as the caller may
 * read the tree. The delta (paths and content hashes) is computed now; the tar is written while the
 * client reads it (ControlReply.streamed): any size, a bounded buffer of heap. With {@code canonical}
 * one JSON line with the delta id comes first ({@code txfs export --format oci-dir}).
 */
final class ExportVerb implements VerbHandler {
    private final VerbContext context;

    ExportVerb(VerbContext context) {
        this.context = context;
    }

    /** The delta and the two trees it is between, as the caller may read them. */
    private record Layer(Delta delta, TreeSource before, TreeSource after) {}

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        Engine engine = context.engine();
        View v = TargetViews.of(context, caller, cmd);
        if (!cmd.format().orElse("").equals("oci-tar")) {
            throw new ControlRefusal(Errno.EINVAL, cmd.verb(), "export needs format=oci-tar");
        }
        Normalization normalization = Normalization.of(cmd);
        Layer layer = layer(caller, cmd, v, normalization);
        Delta d = layer.delta();
        String rulesId = normalization.rulesId();
        String viewName = v.name();
        boolean header = cmd.canonical();
        return ControlReply.streamed(ControlVerb.EXPORT, out -> {
            if (header) {
                ObjectNode h = ControlReply.json()
                        .createObjectNode()
                        .put("view", viewName)
                        .put("objects", d.format().gitName())
                        .put("delta_id", d.id().hex())
                        .put("entries", d.entries().size());
                if (rulesId != null) h.put("normalized_by", rulesId);
                out.write((h.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            try (LongWork work = engine.works().start("export")) {
                work.phase("write", LongWork.UNKNOWN, LongWork.UNKNOWN);
                CountingOutputStream counted = new CountingOutputStream(new ProgressOutputStream(out, work));
                new OciLayerWriter(OciLayerWriter.Options.defaults()).write(d, layer.before(), layer.after(), counted);
                ControlLog.LOG.info(
                        "export of view {} for uid {}: {} entries, {} bytes",
                        viewName,
                        caller.uid(),
                        d.entries().size(),
                        counted.count());
            }
        });
    }

    private Layer layer(RequestContext caller, ControlCommand cmd, View v, Normalization normalization)
            throws ControlRefusal {
        Engine engine = context.engine();
        List<DeltaEntry> pending = engine.pendingDelta(v);
        try {
            TreeSource before = new ViewTreeSource(engine, ViewDiff.baseOf(engine, v));
            TreeSource after = new ViewTreeSource(engine, v);
            PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(pending, before, after);
            Set<Long> groups = CallerGroups.of(caller);
            TreeSource b =
                    normalization.wrap(CallerAccessTreeSource.forCaller(scope.wrap(before), caller.uid(), groups));
            TreeSource a =
                    normalization.wrap(CallerAccessTreeSource.forCaller(scope.wrap(after), caller.uid(), groups));
            return new Layer(new DeltaComputer(ObjectFormat.SHA1, false).compute(b, a), b, a);
        } catch (IOException e) {
            throw Refusals.of(cmd.verb(), e);
        }
    }
}
