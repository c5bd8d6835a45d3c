package io.txfs.fuse.view;

import io.txfs.core.AutoFlush;
import io.txfs.core.Engine;
import io.txfs.core.EngineConfig;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.GroupPolicy;
import io.txfs.core.progress.LongWorks;
import io.txfs.fuse.RequestCounts;
import io.txfs.fuse.caller.CallerResolver;
import io.txfs.fuse.caller.ProcessTable;
import io.txfs.fuse.caller.ViewRegistry;
import io.txfs.fuse.control.ControlEndpoint;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.Sys;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Wires the engine, the caller registry, the control file and the kernel invalidator into one filesystem. */
public final class ViewMount implements AutoCloseable {
    /** How long the kernel may cache view-private entries and attributes; invalidations keep them right. */
    public static final long DEFAULT_TTL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Engine engine;
    private final ControlTreeFilesystem filesystem;
    private final int backingFd;
    private final DeltaIdLog ids;
    private final AutoFlush autoFlush;

    private ViewMount(
            Engine engine, ControlTreeFilesystem filesystem, int backingFd, DeltaIdLog ids, AutoFlush autoFlush) {
        this.ids = ids;
        this.autoFlush = autoFlush;
        this.engine = engine;
        this.filesystem = filesystem;
        this.backingFd = backingFd;
    }

    /**
     * Opens (and recovers, before anything is served) the engine over {@code backing} with its store in
     * {@code stateDir}/engine and the process registry in {@code stateDir}/processes. The backing directory is held by a descriptor taken now and reached through
     * /proc/self/fd, so it stays reachable when the mount covers it (MOUNTPOINT may equal BACKING).
     */
    public static ViewMount open(Path backing, Path stateDir, DefaultView policy) throws IOException {
        return open(backing, stateDir, policy, GcPolicy.DEFAULT.keepVersions());
    }

    /**
     * As {@link #open(Path, Path, DefaultView)}, keeping the {@code keepVersions} newest published versions
     * readable across flushes (for {@code txfs diff --from/--to}); 1 keeps only the versions since the
     * last flush.
     */
    public static ViewMount open(Path backing, Path stateDir, DefaultView policy, long keepVersions)
            throws IOException {
        return open(backing, stateDir, policy, keepVersions, MountAdministrators.owner(LibC.INSTANCE.getuid()));
    }

    /** As above; {@code administrators} may flush (the daemon's own uid and root, unless more are named). */
    public static ViewMount open(
            Path backing, Path stateDir, DefaultView policy, long keepVersions, MountAdministrators administrators)
            throws IOException {
        return open(
                backing, stateDir, policy, new GcPolicy(true, keepVersions), administrators, GroupPolicy.DEFAULT, null);
    }

    /**
     * As above, with the shared default's group commit ({@code group}, used with {@link DefaultView#SHARED})
     * and a background flush at most every {@code autoFlush} (null: none).
     */
    public static ViewMount open(
            Path backing,
            Path stateDir,
            DefaultView policy,
            GcPolicy gc,
            MountAdministrators administrators,
            GroupPolicy group,
            Duration autoFlush)
            throws IOException {
        int fd = LibC.INSTANCE.open(backing.toString(), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("cannot open backing directory " + backing + ": " + Errno.nameOf(LibC.errno()));
        }
        NodeTable<ViewKey> nodes = ViewFilesystem.newNodeTable();
        KernelInvalidator invalidator = new KernelInvalidator(nodes);
        Engine engine;
        LongWorks works = LongWorks.system();
        ProgressFile opening = new ProgressFile(stateDir.resolve("progress.json"));
        works.listen(opening);
        try {
            engine = Engine.open(EngineConfig.rocks(Path.of("/proc/self/fd/" + fd + "/."), stateDir.resolve("engine"))
                    .withListener(invalidator)
                    .withGc(gc)
                    .withWorks(works));
        } catch (RuntimeException e) {
            LibC.INSTANCE.close(fd);
            invalidator.close();
            throw e;
        } finally {
            works.listen(null);
            opening.close();
        }
        ViewRegistry registry = new ViewRegistry(stateDir.resolve("processes"), ProcessTable.LIVE);
        Views views = new Views(engine, new CallerResolver(registry, ProcessTable.LIVE), registry, policy, invalidator);
        views.sweepIdleSessionsLater(); // sessions of the previous daemon's life that ended without changes
        RequestCounts counts = new RequestCounts();
        DeltaIdLog ids = DeltaIdLog.start(engine);
        views.startGroupCommit(group);
        AutoFlush flusher = autoFlush == null ? null : AutoFlush.start(engine, autoFlush);
        views.autoFlush(flusher);
        ControlEndpoint control = new ControlEndpoint(new ViewControl(
                engine,
                views,
                invalidator,
                Path.of("/proc/self/fd/" + fd + "/."),
                counts,
                ids,
                administrators,
                new DaemonMemory(engine, stateDir)));
        ViewFilesystem viewFilesystem =
                new ViewFilesystem(engine, views, nodes, invalidator, DEFAULT_TTL_NANOS, counts);
        return new ViewMount(
                engine,
                new ControlTreeFilesystem(viewFilesystem, control, engine, views, nodes, DEFAULT_TTL_NANOS),
                fd,
                ids,
                flusher);
    }

    /** The views with the control tree over them: what the mount serves. */
    public ControlTreeFilesystem filesystem() {
        return filesystem;
    }

    public Engine engine() {
        return engine;
    }

    /** Closes the engine; call after the mount has ended so no request is in flight. */
    @Override
    public void close() {
        try {
            if (autoFlush != null) {
                autoFlush.close(); // a round in progress finishes; what is left is flushed by the next flush
            }
            ids.close(); // ids not computed yet are computed at the next start
            engine.close();
        } finally {
            LibC.INSTANCE.close(backingFd);
        }
    }
}
