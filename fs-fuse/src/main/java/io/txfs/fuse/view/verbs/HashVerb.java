package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.control.ControlVerb;
import io.txfs.core.Engine;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.ProgressTreeSource;
import io.txfs.core.inspect.TreeHasher;
import io.txfs.core.inspect.TreeIdOptions;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.dir.DirectoryTreeSource;
import io.txfs.core.inspect.engine.CallerAccessTreeSource;
import io.txfs.core.inspect.engine.SnapshotTokenSources;
import io.txfs.core.inspect.engine.ViewTreeSource;
import io.txfs.core.progress.LongWork;
import io.txfs.core.tree.View;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.view.CallerGroups;
import io.txfs.sys.Errno;
import java.io.IOException;

/**
 * {@code hash}: the git-compatible (or extended) id of a view, the published state or the backing directory.
 * Computed as the caller could read the tree (mode bits checked for non-root callers,
 * {@link CallerAccessTreeSource}): the daemon runs as root.
 */
final class HashVerb implements VerbHandler {
    private final VerbContext context;

    HashVerb(VerbContext context) {
        this.context = context;
    }

    @Override
    public ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal {
        long started = System.nanoTime();
        ControlReply reply = ControlReply.ok(ControlVerb.HASH);
        // only root's hashes share the cache: a hit skips every read (and access check) below it
        boolean trusted = caller.uid() == 0;
        TreeSource source = source(caller, cmd, trusted, reply);
        ObjectFormat format = ReplyWords.objectFormat(cmd.format().orElse("sha1"));
        TreeIdOptions options =
                cmd.extended() ? TreeIdOptions.extended(format, cmd.mtimes()) : TreeIdOptions.git(format);
        TreePath path;
        try {
            path = TreePath.ofBytes(cmd.pathBytes().orElse(new byte[0]));
        } catch (IllegalArgumentException e) {
            throw new ControlRefusal(
                    Errno.EINVAL,
                    cmd.verb(),
                    "bad path (relative, no empty, '.' or '..' components): " + e.getMessage());
        }
        Normalization normalization = Normalization.of(cmd);
        try {
            String id = hash(caller, cmd, trusted, source, options, path, normalization);
            normalization.describe(reply);
            return reply.put("format", format.gitName())
                    .put("extended", cmd.extended())
                    .put("mtimes", cmd.mtimes())
                    .put("path", path.toString())
                    .put("id", id)
                    // the daemon's own time for the hash, without the client's start-up or the FUSE round trip
                    .put("elapsed_ns", System.nanoTime() - started);
        } catch (IOException e) {
            throw Refusals.of(cmd.verb(), e);
        }
    }

    /** The tree the command names; says which in {@code reply}. */
    private TreeSource source(RequestContext caller, ControlCommand cmd, boolean trusted, ControlReply reply)
            throws ControlRefusal {
        Engine engine = context.engine();
        if (cmd.backing()) {
            if (context.backing() == null) {
                throw new ControlRefusal(
                        Errno.EOPNOTSUPP, cmd.verb(), "this mount does not offer its backing directory");
            }
            // the flusher may be writing it: a hash of the backing directory is of whatever it holds now
            TreeSource source = new WithoutControlDirectory(new DirectoryTreeSource(context.backing()));
            reply.put("state", "backing");
            return source;
        }
        if (cmd.published()) {
            TreeSource source =
                    trusted ? SnapshotTokenSources.published(engine) : new ViewTreeSource(engine, engine.published());
            reply.put("state", "published").put("published_version", engine.headVersion());
            return source;
        }
        View v = TargetViews.of(context, caller, cmd);
        TreeSource source;
        try {
            source = trusted ? SnapshotTokenSources.view(engine, v) : new ViewTreeSource(engine, v);
        } catch (IOException e) {
            throw Refusals.of(cmd.verb(), e);
        }
        reply.put("state", "view").put("view", v.name());
        return source;
    }

    private String hash(
            RequestContext caller,
            ControlCommand cmd,
            boolean trusted,
            TreeSource source,
            TreeIdOptions options,
            TreePath path,
            Normalization normalization)
            throws IOException {
        TreeSource asCaller =
                normalization.wrap(CallerAccessTreeSource.forCaller(source, caller.uid(), CallerGroups.of(caller)));
        // only a walk of the backing directory is long enough to show: the others reuse version tokens
        try (LongWork work = cmd.backing() ? context.engine().works().start("hash") : LongWork.unwatched()) {
            if (cmd.backing()) asCaller = new ProgressTreeSource(asCaller, work);
            return (trusted ? new TreeHasher(options, context.hashCache()) : new TreeHasher(options))
                    .hash(asCaller, path)
                    .hex();
        }
    }
}
