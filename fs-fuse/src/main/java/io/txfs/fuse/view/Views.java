package io.txfs.fuse.view;

import io.txfs.core.Engine;
import io.txfs.core.Errno;
import io.txfs.core.FsException;
import io.txfs.core.Isolation;
import io.txfs.core.View;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.CallerResolver;
import io.txfs.fuse.caller.CallerView;
import io.txfs.fuse.caller.UnknownCallerException;
import io.txfs.fuse.caller.ViewRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which engine view a request of the shared root works in, and what the default policies do around changes. */
final class Views {
    private static final Logger log = LoggerFactory.getLogger(Views.class);
    static final String SHARED_VIEW = "shared";
    static final String SESSION_PREFIX = "session-";
    private static final int SELF = (int) ProcessHandle.current().pid();

    private final Engine engine;
    private final CallerResolver resolver;
    private final ViewRegistry registry;
    private final DefaultView policy;
    private final KernelInvalidator invalidator;
    /** The shared default's group commit (null unless {@code --default-view shared}). */
    private volatile io.txfs.core.GroupCommit group;
    /** The mount's {@code --auto-flush} (null unless given). */
    private volatile io.txfs.core.AutoFlush autoFlush;
    private final java.util.concurrent.ExecutorService sweeper = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "txfs-session-sweep");
        t.setDaemon(true);
        return t;
    });

    Views(Engine engine, CallerResolver resolver, ViewRegistry registry, DefaultView policy, KernelInvalidator invalidator) {
        this.engine = engine;
        this.resolver = resolver;
        this.registry = registry;
        this.policy = policy;
        this.invalidator = invalidator;
    }

    /** The caller's view: its registered one, else the default policy's. Unknown callers are refused. */
    View forCaller(RequestContext ctx) throws FuseErrnoException {
        String name = nameForCaller(ctx);
        if (name.equals(Engine.PUBLISHED_VIEW)) {
            return engine.published();
        }
        if (name.equals(SHARED_VIEW) && policy == DefaultView.SHARED) {
            return getOrCreate(SHARED_VIEW, () -> 0);
        }
        if (name.startsWith(SESSION_PREFIX)) {
            // a session's view, created at its first access (or a view the caller entered by that name)
            return getOrCreate(name, () -> sessionOwner(Integer.parseInt(name.substring(SESSION_PREFIX.length())), ctx.uid()));
        }
        return engine.view(name);
    }

    /**
     * The name of the view the caller works in, without creating it (a session's view is created at the
     * session's first access through {@link #forCaller}). Unknown callers are refused.
     */
    String nameForCaller(RequestContext ctx) throws FuseErrnoException {
        CallerView cv = resolve(ctx);
        if (cv instanceof CallerView.Named n) {
            try {
                return engine.view(n.name()).name();
            } catch (FsException gone) {
                // discarded since the caller entered it: back to the default
                registry.forgetView(n.name());
            }
        }
        int sid = 0;
        if (cv instanceof CallerView.Unregistered u) {
            if (u.pid() == SELF || u.ppid() == SELF) {
                // the daemon's own probes (the serving check runs stat(1) as a child) read the published
                // state and never start a view
                return Engine.PUBLISHED_VIEW;
            }
            sid = u.sid();
        }
        return policy == DefaultView.SHARED ? SHARED_VIEW : SESSION_PREFIX + sid;
    }

    private CallerView resolve(RequestContext ctx) throws FuseErrnoException {
        try {
            return resolver.resolve(ctx.pid());
        } catch (UnknownCallerException e) {
            log.warn("refused a request from uid {}: {}", ctx.uid(), e.getMessage());
            throw new FuseErrnoException(io.txfs.fuse.Errno.EPERM, e.getMessage());
        }
    }

    /**
     * Whether the caller may use nodes of {@code view} (reached through {@code .txfs/views/NAME}, or through
     * a descriptor or working directory it kept): root and the view's owner always (from the request
     * header, free), anyone for the views that hold nothing private (the published state, and the shared
     * default view whose every change is published at once), and otherwise only the view's own processes,
     * whatever their uid (a command `txfs run` started may drop to another user and stays in the view).
     */
    boolean mayUse(RequestContext ctx, String view) throws FuseErrnoException {
        if (ctx.uid() == 0 || view.equals(Engine.PUBLISHED_VIEW) || (policy == DefaultView.SHARED && view.equals(SHARED_VIEW))) {
            return true;
        }
        View v;
        try {
            v = engine.view(view);
        } catch (FsException gone) {
            return true; // nothing left to protect: the request fails on the missing view itself
        }
        return v.ownerUid() == ctx.uid() || nameForCaller(ctx).equals(view);
    }

    /**
     * Default views start read-committed: a session view thereby reads the published state until its
     * first write (when {@link #beforeChange} makes it a snapshot), and the shared view is the published state.
     */
    private View getOrCreate(String name, java.util.function.IntSupplier owner) {
        try {
            return engine.view(name);
        } catch (FsException absent) {
            try {
                View created = engine.createView(name, Isolation.READ_COMMITTED, owner.getAsInt());
                if (name.startsWith(SESSION_PREFIX)) {
                    sweepIdleSessionsLater();
                }
                return created;
            } catch (FsException raced) {
                if (raced.errno() == Errno.EEXIST) {
                    return engine.view(name);
                }
                throw raced;
            }
        }
    }

    /**
     * A session view belongs to the user whose session it is (the session leader's uid), not to
     * whichever process touched it first: a root `sudo` inside a user's shell session must not lock
     * the user out of the session's own view (root may act on every view anyway). The real uid from
     * /proc/SID/status: the owner of /proc/SID itself is root for a leader that changed its uid without
     * an exec since (the kernel marks it non-dumpable).
     */
    private static int sessionOwner(int sid, int callerUid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Integer.toString(sid), "status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            return callerUid;
        } catch (java.io.IOException | RuntimeException leaderGone) {
            return callerUid;
        }
    }

    /**
     * Drops, in the background, the session views that never changed anything (still read-committed:
     * {@link #beforeChange} makes a session view a snapshot at its first change) and whose session has
     * no process left. They hold nothing: no delta, no snapshot; a session with that id later gets an
     * identical fresh one. Run when a new session appears and once at start, so that `txfs views` lists
     * what holds changes instead of every session that ever looked.
     */
    void sweepIdleSessionsLater() {
        try {
            sweeper.execute(this::sweepIdleSessions);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the mount is ending
        }
    }

    private void sweepIdleSessions() {
        try {
            java.util.Set<Integer> live = liveSessions();
            for (io.txfs.core.ViewInfo info : engine.listViews()) {
                String name = info.name();
                if (!name.startsWith(SESSION_PREFIX)) {
                    continue;
                }
                int sid;
                try {
                    sid = Integer.parseInt(name.substring(SESSION_PREFIX.length()));
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                if (live.contains(sid)) {
                    continue;
                }
                View v = engine.view(name);
                if (v.isolation() == Isolation.READ_COMMITTED && engine.pendingDelta(v).isEmpty()) {
                    engine.discard(v);
                    log.debug("dropped idle view {}: its session ended without changes", name);
                }
            }
        } catch (FsException | java.io.UncheckedIOException raced) {
            // a view went or began meanwhile: the next sweep looks again
            log.debug("idle session sweep: {}", raced.getMessage());
        }
    }

    /** The session ids of all running processes, from /proc. */
    static java.util.Set<Integer> liveSessions() {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        try (java.nio.file.DirectoryStream<java.nio.file.Path> procs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"))) {
            for (java.nio.file.Path p : procs) {
                String n = p.getFileName().toString();
                if (n.isEmpty() || !Character.isDigit(n.charAt(0))) {
                    continue;
                }
                try {
                    out.add(io.txfs.fuse.caller.ProcStat.read(Integer.parseInt(n)).session());
                } catch (io.txfs.fuse.caller.NoSuchProcessException | RuntimeException gone) {
                    // exited while listed
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Which views have a live process now, as this router would route them (for prune and the listing). */
    ViewLiveness liveness() {
        return new ViewLiveness(registry.viewsOfLiveProcesses(), liveSessions(), policy == DefaultView.SHARED);
    }

    CallerResolver resolver() {
        return resolver;
    }

    ViewRegistry registry() {
        return registry;
    }

    /** A default session view begins (takes its snapshot) at its first change. */
    void beforeChange(String view) {
        if (policy == DefaultView.SESSION && view.startsWith(SESSION_PREFIX)) {
            View v = engine.view(view);
            if (v.isolation() == Isolation.READ_COMMITTED) {
                engine.beginSnapshot(v);
            }
        }
    }

    /**
     * In the shared default, operations are grouped into published versions (last writer winning, as
     * each on its own would), and everyone else sees each as soon as it returned (docs/views.md, "Group
     * commit"). The view is made here, at start, so that what a killed daemon left in it is published
     * before anything is served.
     */
    void startGroupCommit(io.txfs.core.GroupPolicy policy) {
        if (this.policy != DefaultView.SHARED) {
            return;
        }
        View shared = getOrCreate(SHARED_VIEW, () -> 0);
        group = engine.groupCommit(shared, policy, r -> invalidator.invalidate(SHARED_VIEW, r.visibleChanges().get(SHARED_VIEW)));
    }

    /** Whether {@code view} is the shared default's view, whose operations are group-committed. */
    boolean isGroupView(String view) {
        return group != null && SHARED_VIEW.equals(view);
    }

    /** The shared default's group commit, or null. */
    io.txfs.core.GroupCommit groupCommit() {
        return group;
    }

    void autoFlush(io.txfs.core.AutoFlush a) {
        autoFlush = a;
    }

    /** The mount's auto-flush, or null. */
    io.txfs.core.AutoFlush autoFlush() {
        return autoFlush;
    }

    /** An operation of the shared default view returned: it joins the group commit. */
    void afterChange(String view) {
        io.txfs.core.GroupCommit g = group;
        if (g != null && SHARED_VIEW.equals(view)) {
            g.operationDone();
        }
    }
}
