package io.txfs.fuse.view;

import io.txfs.core.AutoFlush;
import io.txfs.core.Engine;
import io.txfs.core.model.FsException;
import io.txfs.core.model.GroupPolicy;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.ViewInfo;
import io.txfs.core.transactions.GroupCommit;
import io.txfs.core.tree.View;
import io.txfs.fuse.FuseErrnoException;
import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.CallerResolver;
import io.txfs.fuse.caller.CallerView;
import io.txfs.fuse.caller.NoSuchProcessException;
import io.txfs.fuse.caller.ProcStat;
import io.txfs.fuse.caller.UnknownCallerException;
import io.txfs.fuse.caller.ViewRegistry;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which engine view a request of the shared root works in, and what the default policies do around changes. */
public final class Views {
    private static final Logger log = LoggerFactory.getLogger(Views.class);
    static final String SHARED_VIEW = "shared";
    static final String SESSION_PREFIX = "session-";
    private static final int SELF = (int) ProcessHandle.current().pid();
    /**
     * The owner of a not-begun session view's handle as the filesystem uses it: never a permission decision
     * ({@link #mayUse} decides by name; a view that has not begun holds nothing private).
     */
    private static final int NOT_BEGUN_OWNER = -1;

    private final Engine engine;
    private final CallerResolver resolver;
    private final ViewRegistry registry;
    private final DefaultView policy;
    private final KernelInvalidator invalidator;
    /** The shared default's group commit (null unless {@code --default-view shared}). */
    private volatile GroupCommit group;
    /** The mount's {@code --auto-flush} (null unless given). */
    private volatile AutoFlush autoFlush;
    /** Views begun with a listing order other than sorted, for the daemon's life (ReaddirOrder). */
    private final Map<String, ReaddirOrder> readdirOrders = new ConcurrentHashMap<>();

    private final ExecutorService sweeper = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "txfs-session-sweep");
        t.setDaemon(true);
        return t;
    });

    Views(
            Engine engine,
            CallerResolver resolver,
            ViewRegistry registry,
            DefaultView policy,
            KernelInvalidator invalidator) {
        this.engine = engine;
        this.resolver = resolver;
        this.registry = registry;
        this.policy = policy;
        this.invalidator = invalidator;
    }

    /**
     * The caller's view: its registered one, else the default policy's. A session's view that has not begun
     * (the session never wrote) is not created: the handle reads the published state ({@link #viewOf}).
     * Unknown callers are refused.
     */
    public View forCaller(RequestContext ctx) throws FuseErrnoException {
        String name = nameForCaller(ctx);
        View v = viewOf(name);
        if (v.isPublished() && name.startsWith(SESSION_PREFIX)) {
            // the owner matters to the control verbs naming it (status, diff): the session leader's uid
            return engine.notYetBegun(name, sessionOwner(sessionId(name), ctx.uid()));
        }
        return v;
    }

    /**
     * The view a node of {@code name} works in, without beginning one: the engine's view, the published
     * state for a session's view that has not begun (it reads exactly what the view begun at its first write
     * will read: read-committed, nothing pending), or ENOENT. The shared default view is begun at once: it
     * holds nothing either, its every change being published.
     */
    View viewOf(String name) {
        if (name.equals(Engine.PUBLISHED_VIEW)) {
            return engine.published();
        }
        if (name.equals(SHARED_VIEW) && policy == DefaultView.SHARED) {
            return getOrCreate(SHARED_VIEW, () -> 0);
        }
        try {
            return engine.view(name);
        } catch (FsException absent) {
            if (!name.startsWith(SESSION_PREFIX) || absent.errno() != Errno.ENOENT) {
                throw absent;
            }
            if (invalidator.followPublished(name)) {
                sweepIdleSessionsLater(); // a new session: look for ended ones
            }
            return engine.notYetBegun(name, NOT_BEGUN_OWNER);
        }
    }

    /**
     * The view a change of a node of {@code name} goes to: a session's view begins here, at the session's
     * first change (SPEC), read-committed on the newest published state — what the session read until
     * now — so nothing it sees moves, and its conflicts are judged per path against what was published
     * after it read the path it changes (an aborted session view begins again here). A change that then
     * fails (EEXIST, EACCES) leaves the begun view empty; the sweep drops it once the session ended. Any
     * other view ended meanwhile gives ENOENT.
     */
    public View forChange(String name, RequestContext ctx) {
        if (!name.startsWith(SESSION_PREFIX)) {
            return viewOf(name);
        }
        View v = getOrCreate(name, () -> sessionOwner(sessionId(name), ctx.uid()));
        invalidator.unfollowPublished(name); // told of publishes as a read-committed view from now on
        return v;
    }

    /** Whether {@code v} is a handle on a view that has not begun ({@link #viewOf}): it reads the published state. */
    public static boolean notBegun(View v) {
        return v.isPublished() && !v.name().equals(Engine.PUBLISHED_VIEW);
    }

    /**
     * The view the caller (or its nearest registered ancestor) entered with {@code begin}, if it still
     * exists; empty for a process outside any view, which works in its default view.
     */
    public Optional<String> enteredView(RequestContext ctx) throws FuseErrnoException {
        return entered(resolve(ctx));
    }

    private Optional<String> entered(CallerView cv) {
        if (cv instanceof CallerView.Named n) {
            try {
                return Optional.of(engine.view(n.name()).name());
            } catch (FsException gone) {
                // discarded since the caller entered it: back to the default
                registry.forgetView(n.name());
            }
        }
        return Optional.empty();
    }

    private static int sessionId(String name) {
        try {
            return Integer.parseInt(name.substring(SESSION_PREFIX.length()));
        } catch (NumberFormatException notASession) {
            return -1;
        }
    }

    /**
     * The name of the view the caller works in, without creating it (a session's view is created at the
     * session's first change, {@link #forChange}). Unknown callers are refused.
     */
    String nameForCaller(RequestContext ctx) throws FuseErrnoException {
        CallerView cv = resolve(ctx);
        Optional<String> entered = entered(cv);
        if (entered.isPresent()) {
            return entered.get();
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
            throw new FuseErrnoException(Errno.EPERM, e.getMessage());
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
        if (ctx.uid() == 0
                || view.equals(Engine.PUBLISHED_VIEW)
                || (policy == DefaultView.SHARED && view.equals(SHARED_VIEW))) {
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
     * Default views are read-committed (SPEC: session views read-commit by default): a session view sees
     * others' publishes at its next access, apart from the paths it changed itself, and the shared view is
     * the published state.
     */
    private View getOrCreate(String name, IntSupplier owner) {
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
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(sid), "status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            return callerUid;
        } catch (IOException | RuntimeException leaderGone) {
            return callerUid;
        }
    }

    /**
     * Drops, in the background, the session views that hold nothing (published or undone everything; or,
     * from before views began at the first write, never changed anything) and whose session has no process
     * left; a session with that id later reads the published state like one that never wrote. Run when a
     * session's view begins and once at start, so that `txfs views` lists what holds changes.
     */
    void sweepIdleSessionsLater() {
        try {
            sweeper.execute(this::sweepIdleSessions);
        } catch (RejectedExecutionException closing) {
            // the mount is ending
        }
    }

    private void sweepIdleSessions() {
        try {
            Set<Integer> live = liveSessions();
            // sessions gone: nobody reads through their nodes any more
            invalidator.unfollowPublishedIf(n -> !live.contains(sessionId(n)));
            for (ViewInfo info : engine.listViews()) {
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
                if (engine.discardIfUnchanged(v) != null) {
                    log.debug("dropped idle view {}: its session ended without changes", name);
                }
            }
        } catch (FsException | UncheckedIOException raced) {
            // a view went or began meanwhile: the next sweep looks again
            log.debug("idle session sweep: {}", raced.getMessage());
        }
    }

    /** The session ids of all running processes, from /proc. */
    static Set<Integer> liveSessions() {
        Set<Integer> out = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : procs) {
                String n = p.getFileName().toString();
                if (n.isEmpty() || !Character.isDigit(n.charAt(0))) {
                    continue;
                }
                try {
                    out.add(ProcStat.read(Integer.parseInt(n)).session());
                } catch (NoSuchProcessException | RuntimeException gone) {
                    // exited while listed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Which views have a live process now, as this router would route them (for prune and the listing). */
    /** Sets the order of the view's listings from now on. */
    public void readdirOrder(String view, ReaddirOrder order) {
        if (order == ReaddirOrder.SORTED) readdirOrders.remove(view);
        else readdirOrders.put(view, order);
    }

    public ReaddirOrder readdirOrder(String view) {
        return readdirOrders.getOrDefault(view, ReaddirOrder.SORTED);
    }

    public ViewLiveness liveness() {
        return new ViewLiveness(registry.viewsOfLiveProcesses(), liveSessions(), policy == DefaultView.SHARED);
    }

    public CallerResolver resolver() {
        return resolver;
    }

    public ViewRegistry registry() {
        return registry;
    }

    /**
     * In the shared default, operations are grouped into published versions (last writer winning, as
     * each on its own would), and everyone else sees each as soon as it returned (docs/views.md, "Group
     * commit"). The view is made here, at start, so that what a killed daemon left in it is published
     * before anything is served.
     */
    void startGroupCommit(GroupPolicy policy) {
        if (this.policy != DefaultView.SHARED) {
            return;
        }
        View shared = getOrCreate(SHARED_VIEW, () -> 0);
        group = engine.groupCommit(shared, policy); // its publishes' invalidations come through the engine's listener
    }

    /** Whether {@code view} is the shared default's view, whose operations are group-committed. */
    boolean isGroupView(String view) {
        return group != null && SHARED_VIEW.equals(view);
    }

    /** The shared default's group commit, or null. */
    public GroupCommit groupCommit() {
        return group;
    }

    void autoFlush(AutoFlush a) {
        autoFlush = a;
    }

    /** The mount's auto-flush, or null. */
    public AutoFlush autoFlush() {
        return autoFlush;
    }

    /** An operation of the shared default view returned: it joins the group commit. */
    void afterChange(String view) {
        GroupCommit g = group;
        if (g != null && SHARED_VIEW.equals(view)) {
            g.operationDone();
        }
    }
}
