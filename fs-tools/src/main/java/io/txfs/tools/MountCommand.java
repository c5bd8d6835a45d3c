package io.txfs.tools;

import io.txfs.core.Engine;
import io.txfs.core.model.GcPolicy;
import io.txfs.core.model.GroupPolicy;
import io.txfs.fuse.FuseFilesystem;
import io.txfs.fuse.FuseMount;
import io.txfs.fuse.MountOptions;
import io.txfs.fuse.passthrough.PassthroughFilesystem;
import io.txfs.fuse.view.DefaultView;
import io.txfs.fuse.view.MountAdministrators;
import io.txfs.fuse.view.ViewMount;
import io.txfs.sys.LibC;
import io.txfs.sys.LockFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code txfs mount}: serve BACKING at MOUNTPOINT, in the foreground or as a detached daemon. */
@Command(
        name = "mount",
        mixinStandardHelpOptions = true,
        description =
                "Mount BACKING at MOUNTPOINT (MOUNTPOINT may equal BACKING). Without -f, returns once the mount is serving.")
final class MountCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(MountCommand.class);

    @Parameters(index = "0", paramLabel = "BACKING", description = "The directory to serve.")
    Path backing;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "Where to mount it.")
    Path mountpoint;

    @Option(
            names = "--state",
            paramLabel = "DIR",
            description = "State directory (store, logs). Default: per mountpoint under /var/lib/txfs as root.")
    Path state;

    @Option(names = "-f", description = "Stay in the foreground.")
    boolean foreground;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print what was negotiated with the kernel.")
    boolean verbose;

    @Option(
            names = "-o",
            paramLabel = "OPTS",
            description = "Comma-separated mount options, e.g. default_permissions,readers=4.")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--default-view",
            paramLabel = "session|shared",
            defaultValue = "session",
            description =
                    "What a process outside any view works in: session (one view per Linux session, the default) or shared (the published state, like an ordinary filesystem; operations are grouped into published versions, see --group-window).")
    String defaultView;

    @Option(
            names = "--mode",
            paramLabel = "views|passthrough",
            defaultValue = "views",
            description =
                    "views (transactional, the default) or passthrough (serve BACKING as it is, no views: for comparison and benchmarks).")
    String mode;

    @Option(
            names = "--keep-versions",
            paramLabel = "N|all",
            defaultValue = "1",
            description =
                    "How many of the newest published versions stay readable for `txfs diff --from/--to` across flushes (default 1: none before the last flush; all: every version). More kept versions keep more old data in the state directory.")
    String keepVersions;

    @Option(
            names = "--keep-unflushed",
            paramLabel = "N|all",
            defaultValue = "64",
            description =
                    "How many of the newest versions published since the last flush stay readable besides the flushed one (default 64; all: every one). Older ones are thinned out, so that many publishes without a flush (--default-view shared) keep costing what they keep, not their whole history.")
    String keepUnflushed;

    @Option(
            names = "--group-window",
            paramLabel = "DUR",
            defaultValue = "100ms",
            description =
                    "With --default-view shared: operations are grouped into one published version for at most DUR after the first (default 100ms; 1ms to 10s).")
    String groupWindow;

    @Option(
            names = "--group-ops",
            paramLabel = "N",
            defaultValue = "1000",
            description =
                    "With --default-view shared: a group is published at its Nth operation at the latest (default 1000).")
    String groupOps;

    @Option(
            names = "--auto-flush",
            paramLabel = "DUR",
            description =
                    "Flush the published state to BACKING in the background, at most every DUR (e.g. 1s, 30s, 5m). Failures are logged and shown by `txfs status`.")
    String autoFlush;

    @Option(
            names = "--flush-group",
            paramLabel = "GROUP",
            description =
                    "A group (name or number) whose members may flush (and commit) besides root and the mount's owner.")
    String flushGroup;

    @Option(
            names = "--adopt",
            description =
                    "Serve BACKING with this state directory even if either belongs to another (its record names another directory, or BACKING is owned by another state directory). Never overrides a live daemon serving BACKING.")
    boolean adopt;

    /** Shows recovery at start (a flush to roll forward), which the detached launcher waits for. */
    @Mixin
    ProgressOption progress;

    @Option(names = "--startup-timeout", paramLabel = "SECONDS", defaultValue = "60", hidden = true)
    int startupTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        // a daemon killed with SIGKILL leaves a dead mount whose every stat fails: detach it before looking
        if (FuseMount.clearStaleMount(mountpoint.toAbsolutePath().normalize())) {
            System.err.println("txfs: cleared a dead mount at " + mountpoint);
        }
        Path backingDir = requireDirectory(backing, "backing directory");
        Path mnt = requireDirectory(mountpoint, "mountpoint");
        MountOptions.Builder opts = parseOptions();
        gcPolicy(); // bad values are refused here, before a daemon is started
        groupPolicy();
        autoFlushEvery();
        administrators();
        StateDirectory stateDir = StateDirectory.forMount(state, mnt);
        if (stateDir.path().startsWith(backingDir)) {
            throw new UserFacingException(
                    "state directory " + stateDir.path() + " must be outside the backing directory");
        }
        stateDir.create();
        if (MountTable.isFuseMountAt(mnt)) {
            throw new UserFacingException("mountpoint " + mnt + " is busy: a FUSE filesystem is already mounted there");
        }
        if (!mnt.equals(backingDir) && !isEmpty(mnt)) {
            throw new UserFacingException("mountpoint " + mnt
                    + " is not empty (mount over the backing directory itself, or use an empty directory)");
        }
        if (viewsMode()) {
            // the daemon decides again under the locks; this makes a refusal the command's own line
            BackingClaim.check(backingDir, stateDir.path(), adopt);
        }
        if (foreground) {
            ForegroundJvm.resizeIfUnsized(foregroundArguments(stateDir));
            return serve(backingDir, mnt, opts, stateDir);
        }
        return DaemonLauncher.launch(this, stateDir, mnt);
    }

    private DefaultView policy() {
        return switch (defaultView) {
            case "session" -> DefaultView.SESSION;
            case "shared" -> DefaultView.SHARED;
            default ->
                throw new UserFacingException("--default-view must be session or shared, not '" + defaultView + "'");
        };
    }

    private GcPolicy gcPolicy() {
        return new GcPolicy(
                true, versionCount("--keep-versions", keepVersions), versionCount("--keep-unflushed", keepUnflushed));
    }

    private static long versionCount(String option, String value) {
        if (value.equals("all")) {
            return Long.MAX_VALUE;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new UserFacingException(option + " must be a number of at least 1 or 'all', not '" + value + "'");
    }

    private GroupPolicy groupPolicy() {
        int ops;
        try {
            ops = Integer.parseInt(groupOps);
        } catch (NumberFormatException e) {
            throw new UserFacingException("--group-ops must be a number of operations, not '" + groupOps + "'");
        }
        try {
            return new GroupPolicy(AgeDuration.duration(groupWindow), ops);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("--group-window/--group-ops: " + e.getMessage());
        }
    }

    /** The --auto-flush interval, or null. */
    private Duration autoFlushEvery() {
        if (autoFlush == null) {
            return null;
        }
        Duration d = AgeDuration.duration(autoFlush);
        if (d.isZero()) {
            throw new UserFacingException("--auto-flush must be more than 0");
        }
        return d;
    }

    /** Root, this daemon's uid, and the {@code --flush-group}. */
    private MountAdministrators administrators() {
        long owner = Integer.toUnsignedLong(LibC.INSTANCE.getuid());
        if (flushGroup == null) {
            return MountAdministrators.owner(owner);
        }
        return new MountAdministrators(
                owner,
                OptionalLong.of(Groups.gidOf(flushGroup)
                        .orElseThrow(() -> new UserFacingException(
                                "--flush-group: no group '" + flushGroup + "' (a name from /etc/group or a number)"))));
    }

    private boolean viewsMode() {
        return switch (mode) {
            case "views" -> true;
            case "passthrough" -> false;
            default -> throw new UserFacingException("--mode must be views or passthrough, not '" + mode + "'");
        };
    }

    /**
     * Lets the engine notice BACKING being moved away from its path (it reads it through a descriptor, so
     * it would go on serving the moved directory). Not when the mount covers that path (MOUNTPOINT equal
     * to BACKING or above it): the path then names the mount itself.
     */
    private static void watchBacking(Engine engine, Path backingDir, Path mnt) throws IOException {
        Path b = backingDir.toRealPath();
        Path m = mnt.toRealPath();
        if (!b.startsWith(m)) {
            engine.watchBackingPath(b);
        }
    }

    /** The views daemon over the store in stateDir, watching BACKING's path. */
    private ViewMount openViews(Path backingDir, Path mnt, StateDirectory stateDir, DefaultView policy)
            throws IOException {
        ViewMount viewMount;
        try {
            viewMount = ViewMount.open(
                    backingDir, stateDir.path(), policy, gcPolicy(), administrators(), groupPolicy(), autoFlushEvery());
        } catch (IOException | RuntimeException e) {
            throw new UserFacingException("cannot open the store in " + stateDir.path() + ": " + e.getMessage(), e);
        }
        watchBacking(viewMount.engine(), backingDir, mnt);
        return viewMount;
    }

    private int serve(Path backingDir, Path mnt, MountOptions.Builder opts, StateDirectory stateDir) throws Exception {
        boolean views = viewsMode();
        DefaultView policy = policy();
        try (LockFile lock = stateDir.lock();
                BackingClaim claim = views ? BackingClaim.take(backingDir, stateDir.path(), adopt) : null) {
            DaemonLogging.alsoTo(stateDir.logFile());
            Files.writeString(stateDir.pidFile(), ProcessHandle.current().pid() + "\n");
            ViewMount viewMount = views ? openViews(backingDir, mnt, stateDir, policy) : null;
            FuseFilesystem fs;
            if (views) {
                fs = viewMount.filesystem();
                // the views have no permission model of their own: the kernel checks mode bits
                opts.defaultPermissions(true);
            } else {
                fs = new PassthroughFilesystem(backingDir);
            }
            FuseMount mount;
            try {
                mount = FuseMount.mount(
                        mnt, fs, opts.fsName("txfs:" + backingDir).build());
            } catch (IOException e) {
                if (viewMount != null) {
                    viewMount.close();
                }
                throw new UserFacingException("cannot mount " + mnt + ": " + e.getMessage(), e);
            }
            if (viewMount != null) {
                viewMount.filesystem().attach(mount.notifier());
            }
            mount.endWhen(stateDir.goneCheck());
            // SIGTERM/SIGINT: unmount (in-flight requests finish), then close the store, once
            ViewMount store = viewMount;
            AtomicBoolean closed = new AtomicBoolean();
            Runnable shutdown = () -> {
                if (closed.compareAndSet(false, true)) {
                    mount.close();
                    if (store != null) {
                        store.close();
                    }
                }
            };
            Thread hook = new Thread(shutdown, "txfs-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            log.info(
                    "serving {} at {} (pid {}, state {})",
                    backingDir,
                    mnt,
                    ProcessHandle.current().pid(),
                    stateDir.path());
            if (verbose) {
                System.err.println("txfs: kernel negotiated " + mount.negotiated());
            }
            mount.awaitTermination();
            shutdown.run();
            if (mount.endedBecause().isPresent()) {
                log.error("stopped serving {}: {}", mnt, mount.endedBecause().get());
                return Txfs.EXIT_FAILURE;
            }
            log.info("unmounted {}", mnt);
            return Txfs.EXIT_OK;
        }
    }

    private MountOptions.Builder parseOptions() {
        try {
            MountOptions.Builder b = MountOptions.parse(String.join(",", options));
            // a user mounts for itself (fusermount3 allows allow_other only by /etc/fuse.conf); root for all
            if (LibC.INSTANCE.getuid() != 0 && options.stream().noneMatch(MountCommand::asksAllowOther)) {
                b.allowOther(false);
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("bad -o option: " + e.getMessage(), e);
        }
    }

    private static boolean asksAllowOther(String optionList) {
        for (String o : optionList.split(",")) if (o.trim().equals("allow_other")) return true;
        return false;
    }

    /** The arguments to give a detached copy of this command, in the foreground. */
    List<String> foregroundArguments(StateDirectory stateDir) {
        List<String> args = new ArrayList<>(List.of(
                "mount",
                "-f",
                "--state",
                stateDir.path().toString(),
                "--mode",
                mode,
                "--default-view",
                defaultView,
                "--keep-versions",
                keepVersions,
                "--keep-unflushed",
                keepUnflushed));
        args.addAll(List.of("--group-window", groupWindow, "--group-ops", groupOps));
        if (autoFlush != null) {
            args.add("--auto-flush");
            args.add(autoFlush);
        }
        if (flushGroup != null) {
            args.add("--flush-group");
            args.add(flushGroup);
        }
        if (adopt) {
            args.add("--adopt");
        }
        for (String o : options) {
            args.add("-o");
            args.add(o);
        }
        args.add(backing.toAbsolutePath().toString());
        args.add(mountpoint.toAbsolutePath().toString());
        return args;
    }

    int startupTimeoutSeconds() {
        return startupTimeoutSeconds;
    }

    private static Path requireDirectory(Path p, String what) {
        if (!Files.isDirectory(p)) {
            throw new UserFacingException(what + " " + p + " does not exist or is not a directory");
        }
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UserFacingException("cannot resolve " + what + " " + p + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            throw new UserFacingException("cannot read mountpoint " + dir + ": " + e.getMessage(), e);
        }
    }
}
