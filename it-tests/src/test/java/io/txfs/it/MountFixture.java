package io.txfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real txfs mount for one test class (a JUnit 5 extension) or one try-with-resources block, in either
 * {@link Mode}: its own temporary root (mode 0755) with {@code backing/}, {@code mnt/} (or MOUNTPOINT =
 * BACKING) and {@code state/}, the daemon ({@code txfs mount -f}) as a child process with its stderr in a
 * file, and the {@link ViewAgent}s the tests start.
 *
 * <p>Mounted means observed serving: the daemon logged that it serves, /proc/self/mountinfo shows a FUSE
 * mount at the mountpoint, and a stat through it answered (on its own thread, so a hung daemon is
 * reported, not waited for). A mount that does not come up fails the tests; only a machine without
 * /dev/fuse skips them. Closing stops the agents it started, runs {@code txfs unmount}, waits for the
 * daemon (SIGTERM, then SIGKILL if it hangs) and fails if the daemon exited non-zero (unless a test
 * stopped it on purpose) or a mount is left behind (which it then detaches). The daemon can be stopped
 * ({@link #stopDaemon(boolean)}) and started again on the same directories ({@link #restart()}).
 */
public final class MountFixture implements BeforeAllCallback, AfterAllCallback, TestWatcher, AutoCloseable {
    static final Duration MOUNT_DEADLINE = Duration.ofSeconds(60);
    static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);
    static final Duration CLI_DEADLINE = Duration.ofSeconds(60);
    private static final Path DEV_FUSE = Path.of("/dev/fuse");
    private static final File DEV_NULL = new File("/dev/null");

    /** What the daemon serves. */
    public enum Mode {
        /** {@code --mode passthrough}: BACKING served as it is, no views. */
        PASSTHROUGH(List.of("--mode", "passthrough")),
        /** The daemon's default mode: each process tree in its own copy-on-write view. */
        VIEWS(List.of());

        final List<String> arguments;

        Mode(List<String> arguments) {
            this.arguments = arguments;
        }
    }

    private final Mode mode;
    /** Extra {@code txfs mount} arguments after the mode's (e.g. "-o", "default_permissions", "--keep-versions", "7"). */
    private final List<String> mountArguments;

    private final boolean overBacking;
    /** JVM options of the daemon (after "java", before "-jar"). */
    private List<String> daemonJvmOptions = List.of();

    private Consumer<Path> seed = b -> {};
    private final List<ViewAgent> agents = new CopyOnWriteArrayList<>();
    private Path root;
    private Path backing;
    private Path mountpoint;
    private Path state;
    private Path daemonStderr;
    private Path agentScript;
    private Process daemon;
    private boolean failurePrinted;
    /** Set when a test stopped the daemon on purpose; close() then only checks that no mount is left. */
    private boolean daemonEnded;
    /** "serving" lines in the daemon log when start() began: a restarted daemon appends to it. */
    private long servedBefore;

    private MountFixture(Mode mode, List<String> mountArguments, boolean overBacking) {
        this.mode = mode;
        this.mountArguments = List.copyOf(mountArguments);
        this.overBacking = overBacking;
    }

    /** A mount in this mode with these extra {@code txfs mount} arguments. */
    public static MountFixture of(Mode mode, String... mountArguments) {
        return new MountFixture(mode, List.of(mountArguments), false);
    }

    /** A passthrough ({@code --mode passthrough}) with these -o options (none: the defaults). */
    public static MountFixture passthrough(String... options) {
        return new MountFixture(Mode.PASSTHROUGH, optionArguments(options), false);
    }

    /** A passthrough mounted over its own backing directory (MOUNTPOINT = BACKING). */
    public static MountFixture passthroughOverBacking(String... options) {
        return new MountFixture(Mode.PASSTHROUGH, optionArguments(options), true);
    }

    /** Mounts a passthrough now and returns the serving fixture; for use in try-with-resources. */
    public static MountFixture mountPassthrough(String... options) {
        MountFixture fixture = passthrough(options);
        fixture.start();
        return fixture;
    }

    /** A views-mode mount (the product's default) with these extra {@code txfs mount} arguments. */
    public static MountFixture views(String... mountArguments) {
        return of(Mode.VIEWS, mountArguments);
    }

    private static List<String> optionArguments(String... options) {
        return options.length == 0 ? List.of() : List.of("-o", String.join(",", options));
    }

    /** Fills the backing directory before the first mount (the daemon owns it afterwards). */
    public MountFixture seeded(Consumer<Path> seed) {
        this.seed = seed;
        return this;
    }

    public Mode mode() {
        return mode;
    }

    public Path backing() {
        return backing;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** A directory for the test's own files outside the mount (and the backing directory), on the same filesystem. */
    public Path scratch() {
        return root;
    }

    public Path stateDirectory() {
        return state;
    }

    public Process daemon() {
        return daemon;
    }

    /** The absolute path, through the mount, of a path relative to the mount root. */
    public String mnt(String relative) {
        return mountpoint.resolve(relative).toString();
    }

    Path agentScript() {
        return agentScript;
    }

    // ------------------------------------------------------------------ the CLI under test

    /** The path of the txfs jar under test (system property {@code txfs.jar}). */
    static Path jar() {
        String property = System.getProperty("txfs.jar");
        if (property == null || property.isBlank()) {
            fail("system property txfs.jar is not set (it-tests/pom.xml passes it to failsafe)");
        }
        Path jar = Path.of(property).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail("txfs.jar not found at " + jar + " (build fs-tools first: mvn -pl fs-tools -am package)");
        }
        return jar;
    }

    private static Path jarCopy;

    /**
     * The command line that runs the txfs CLI with these arguments. It runs a private copy of the jar and
     * its lib/ taken once per test JVM, so that a rebuild of fs-tools while the tests run cannot pull the
     * jar out from under a daemon or a {@code txfs run}.
     */
    static synchronized List<String> command(String... args) {
        if (jarCopy == null) {
            Path jar = jar();
            try {
                Path dir = Files.createTempDirectory("txfs-it-jar-");
                Files.copy(jar, dir.resolve("txfs.jar"));
                Path lib = Files.createDirectory(dir.resolve("lib"));
                try (Stream<Path> libs = Files.list(jar.resolveSibling("lib"))) {
                    for (Path l : libs.toList()) {
                        Files.copy(l, lib.resolve(l.getFileName()));
                    }
                }
                jarCopy = dir.resolve("txfs.jar");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + jar + " and its lib/", e);
            }
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jarCopy.toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * A copy of the CLI jar and its lib/ in {@code dir}, readable by every uid: tests that run the CLI as
     * another user cannot read the fixtures' private copy. Returns the jar's path.
     */
    static Path readableJarCopy(Path dir) throws IOException {
        Path jar = jar();
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(jar, dir.resolve("txfs.jar"));
        try (Stream<Path> libs = Files.list(jar.resolveSibling("lib"))) {
            for (Path l : libs.toList()) {
                Files.copy(l, dir.resolve("lib").resolve(l.getFileName()));
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir.resolve("txfs.jar");
    }

    /** Runs the txfs CLI to completion, from the scratch directory. */
    public ProcessRun txfs(String... args) {
        return ProcessRun.run(command(args), root, Map.of(), CLI_DEADLINE);
    }

    /**
     * The CLI run as {@code uid} (its own group, no others) from the mount, through a jar copy that uid can
     * read ({@link #readableJarCopy}); {@code args} is one shell-quoted string.
     */
    public ProcessRun txfsAs(int uid, Path readableJar, String args) {
        List<String> cmd = List.of(
                "setpriv",
                "--reuid=" + uid,
                "--regid=" + uid,
                "--clear-groups",
                "/bin/sh",
                "-c",
                "exec " + Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + readableJar + " "
                        + args);
        return ProcessRun.run(cmd, mountpoint, Map.of("HOME", "/tmp"), CLI_DEADLINE);
    }

    /** Runs any command to completion from a working directory. */
    public ProcessRun run(Path workDir, List<String> command) {
        return ProcessRun.run(command, workDir, Map.of(), CLI_DEADLINE);
    }

    // ------------------------------------------------------------------ agents

    /** Starts a Python agent with {@code txfs run --view NAME} through the given way in; see {@link ViewAgent}. */
    public ViewAgent agent(String view, ViewAgent.Way way, String isolation) {
        requireViews("an agent in a view");
        ViewAgent a = ViewAgent.start(this, view, way, isolation);
        agents.add(a);
        return a;
    }

    public ViewAgent agent(String view, ViewAgent.Way way) {
        return agent(view, way, null);
    }

    /** A plain agent outside txfs ({@link ViewAgent#plain}), stopped with the fixture like the others. */
    public ViewAgent plainAgent(String name) {
        ViewAgent a = ViewAgent.plain(this, name);
        agents.add(a);
        return a;
    }

    void forgetAgent(ViewAgent a) {
        agents.remove(a);
    }

    private void requireViews(String what) {
        if (mode != Mode.VIEWS) {
            throw new IllegalStateException(what + " needs a views mount, this one is " + mode);
        }
    }

    // ------------------------------------------------------------------ start and stop

    /** Skips, loudly, only when the machine has no FUSE device at all. */
    static void requireFuseDevice() {
        if (!Files.exists(DEV_FUSE)) {
            System.err.println("*** txfs it-tests: SKIPPING mount tests: /dev/fuse does not exist on this machine ***");
            Assumptions.abort("/dev/fuse does not exist: FUSE mount tests cannot run here");
        }
    }

    /** Creates the temporary directories (start() does it too), so a test can fill BACKING first. */
    public void createDirectories() throws IOException {
        if (root != null) {
            return;
        }
        Path made = Files.createTempDirectory("txfs-it-");
        // readable by all: scenarios and agents run as an unprivileged user reach the mount through it
        Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = made.toRealPath();
        backing = Files.createDirectory(root.resolve("backing"));
        mountpoint = overBacking ? backing : Files.createDirectory(root.resolve("mnt"));
        state = root.resolve("state");
        agentScript = root.resolve("view_agent.py");
        try (InputStream in = MountFixture.class.getResourceAsStream("view_agent.py")) {
            if (in == null) {
                fail("view_agent.py is missing from the test resources");
            }
            Files.copy(in, agentScript);
        }
        Files.setPosixFilePermissions(agentScript, PosixFilePermissions.fromString("rw-r--r--"));
        seed.accept(backing);
    }

    /**
     * Creates the directories (first time only), starts the daemon and waits until the mount answers. A
     * daemon that has exited (stopped by the test, or after an unmount) is replaced on the same directories.
     */
    public void start() {
        requireFuseDevice();
        if (daemon != null && daemon.isAlive()) {
            throw new IllegalStateException("already started");
        }
        try {
            createDirectories();
            daemonStderr = root.resolve("daemon.stderr"); // a restarted daemon appends: the log tells the whole story
            daemonEnded = false;
            servedBefore = servingLines();
            List<String> args = new ArrayList<>(List.of("mount", "-f", "--state", state.toString()));
            args.addAll(mode.arguments);
            args.addAll(mountArguments);
            args.add(backing.toString());
            args.add(mountpoint.toString());
            List<String> cmd = new ArrayList<>(command(args.toArray(String[]::new)));
            cmd.addAll(1, daemonJvmOptions);
            daemon = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            root.resolve("daemon.stdout").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(daemonStderr.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the txfs daemon", e);
        }
        awaitServing();
    }

    /** Starts a new daemon on the same backing, mountpoint and state directory (it clears a dead mount). */
    public void restart() {
        restart(List.of());
    }

    /** {@link #restart()} with JVM options for the new daemon (and later restarts, until changed again). */
    public void restart(List<String> jvmOptions) {
        daemonJvmOptions = List.copyOf(jvmOptions);
        appendToLog("\n===== test: restarting the daemon on the same state directory " + daemonJvmOptions + " =====\n");
        start();
    }

    private long servingLines() {
        return daemonLog()
                .lines()
                .filter(l -> l.contains("MountCommand - serving "))
                .count();
    }

    private void awaitServing() {
        long deadline = System.nanoTime() + MOUNT_DEADLINE.toNanos();
        String lastProblem = "no FUSE mount in /proc/self/mountinfo yet";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                failStart("the daemon exited with status " + daemon.exitValue() + " before the mount served");
            }
            Optional<MountTable.Mount> mount = MountTable.at(mountpoint);
            if (mount.isPresent() && servingLines() <= servedBefore) {
                // a dead daemon's mount can answer a stat from cached attributes: only the new daemon's word counts
                lastProblem = "a mount is there, but the daemon has not said it serves: " + mount.get();
            } else if (mount.isPresent() && mount.get().isFuse()) {
                Optional<String> statProblem = statAnswers(mountpoint, Duration.ofSeconds(10));
                if (statProblem.isEmpty()) {
                    return;
                }
                lastProblem = "mounted, but stat through it failed: " + statProblem.get();
            } else if (mount.isPresent()) {
                lastProblem = "a non-FUSE mount is at the mountpoint: " + mount.get();
            }
            pause();
        }
        failStart("the mount did not serve within " + MOUNT_DEADLINE.toSeconds() + " s: " + lastProblem);
    }

    private void failStart(String why) {
        String log = daemonLogTail(80);
        daemonEnded = true; // its exit is reported here; close() only has to leave nothing behind
        try {
            close();
        } catch (AssertionError | RuntimeException cleanup) {
            why += "\n(cleanup after the failed start also failed: " + cleanup.getMessage() + ")";
        }
        fail("txfs mount (" + mode + ") failed: " + why + "\n" + log);
    }

    /**
     * Stats a path on a separate thread: a broken daemon can leave a stat blocked in the kernel, and the
     * test must report that rather than hang with it. Empty means the stat answered.
     */
    static Optional<String> statAnswers(Path path, Duration timeout) {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "txfs-it-stat");
            t.setDaemon(true);
            return t;
        });
        try {
            // statfs too: the kernel answers a stat of a dead mount's root from its attribute cache for a while
            Future<Object> result = executor.submit(() ->
                    Files.readAttributes(path, "unix:ino,mode").get("mode").toString()
                            + Files.getFileStore(path).getTotalSpace());
            result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of("no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            return Optional.of(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Sends the daemon SIGTERM (or SIGKILL when hard) and waits for it to exit; returns its exit status.
     * Fails if it does not exit in time. The mount is left to the caller to check, to clear with
     * {@code txfs unmount}, or to replace with {@link #restart()}; close() clears it otherwise.
     */
    public int stopDaemon(boolean hard) {
        daemonEnded = true;
        if (hard) {
            daemon.destroyForcibly();
        } else {
            daemon.destroy();
        }
        Integer status = awaitExit(EXIT_DEADLINE);
        if (status == null) {
            daemon.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
            fail("the daemon did not exit within " + EXIT_DEADLINE.toSeconds() + " s of "
                    + (hard ? "SIGKILL" : "SIGTERM") + "\n" + daemonLogTail(80));
        }
        return status;
    }

    /**
     * Waits for a daemon the test expects to end by itself (its mount gone, its state directory deleted);
     * its status, or null if it still runs at the deadline. close() then takes whatever status it had.
     */
    public Integer awaitDaemonEnd(Duration timeout) {
        daemonEnded = true;
        return awaitExit(timeout);
    }

    /** Waits for the daemon to exit; its status, or null if it is still running at the deadline. */
    Integer awaitExit(Duration timeout) {
        try {
            if (daemon.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return daemon.exitValue();
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Stops the agents it started, unmounts with {@code txfs unmount}, waits for the daemon to exit
     * (SIGTERM, then SIGKILL if it hangs), and fails if a mount is left behind or the daemon did not exit
     * cleanly. Idempotent.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        for (ViewAgent a : List.copyOf(agents)) {
            try {
                a.close();
            } catch (RuntimeException | AssertionError e) {
                problems.add("agent " + a.view() + ": " + e.getMessage());
            }
        }
        agents.clear();
        boolean live = daemon != null && daemon.isAlive();
        if (mountpoint != null && MountTable.at(mountpoint).isPresent()) {
            ProcessRun unmount = ProcessRun.run(command("unmount", mountpoint.toString()), EXIT_DEADLINE);
            if (!unmount.succeeded() && live) {
                problems.add("txfs unmount failed:\n" + unmount.describe());
            }
        }
        if (daemon != null) {
            Integer status = awaitExit(EXIT_DEADLINE);
            if (status == null) {
                problems.add("the daemon did not exit within " + EXIT_DEADLINE.toSeconds()
                        + " s of the unmount; SIGTERM sent\n" + whyStillRunning());
                daemon.destroy();
                status = awaitExit(Duration.ofSeconds(10));
                if (status == null) {
                    problems.add("the daemon ignored SIGTERM; SIGKILL sent");
                    daemon.destroyForcibly();
                    awaitExit(Duration.ofSeconds(10));
                }
            } else if (status != 0 && !daemonEnded) {
                problems.add("the daemon exited with status " + status + " after the unmount");
            }
        }
        if (mountpoint != null && MountTable.at(mountpoint).isPresent()) {
            problems.add("a mount was left behind at " + mountpoint + ": "
                    + MountTable.at(mountpoint).get());
            forceUnmount();
        }
        Process finished = daemon;
        daemon = null;
        String log = daemonLogTail(80);
        deleteRoot(); // the log is in hand; nothing else in the temporary tree is worth keeping
        if (!problems.isEmpty()) {
            fail("txfs (" + mode + ") did not shut down cleanly:\n- " + String.join("\n- ", problems)
                    + (finished == null ? "" : "\ndaemon pid " + finished.pid()) + "\n" + log);
        }
    }

    /** What keeps a daemon alive after its unmount: its threads, and processes whose namespace still has the mount. */
    private String whyStillRunning() {
        StringBuilder b = new StringBuilder();
        ProcessRun mounts = ProcessRun.run(
                List.of(
                        "sh",
                        "-c",
                        "for m in /proc/[0-9]*/mountinfo; do grep -q \" $1 \" $m 2>/dev/null && echo \"${m%/mountinfo}\""
                                + " $(tr '\\0' ' ' < ${m%/mountinfo}/cmdline 2>/dev/null | cut -c1-150); done",
                        "sh",
                        mountpoint.toString()),
                Duration.ofSeconds(20));
        b.append("processes whose mount namespace still holds ")
                .append(mountpoint)
                .append(":\n")
                .append(mounts.stdout().isBlank() ? "(none)\n" : mounts.stdout());
        ProcessRun threads = ProcessRun.run(
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(daemon.pid()),
                        "Thread.print"),
                Duration.ofSeconds(20));
        b.append("daemon threads (jcmd Thread.print, first 150 lines):\n")
                .append(String.join("\n", threads.stdout().lines().limit(150).toList()));
        return b.toString();
    }

    /** Last resort so that a failed test never leaves a mount behind for the next one. */
    private void forceUnmount() {
        ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
        if (MountTable.at(mountpoint).isPresent()) {
            ProcessRun.run(List.of("fusermount3", "-u", "-z", mountpoint.toString()), Duration.ofSeconds(20));
        }
    }

    private void deleteRoot() {
        if (root == null || MountTable.at(mountpoint).isPresent()) {
            return; // never recurse into a live mount
        }
        deleteTree(root);
        root = null;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temporary directory that survives is harmless
        }
    }

    // ------------------------------------------------------------------ the daemon's log

    private void appendToLog(String text) {
        try {
            Files.writeString(
                    daemonStderr, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // only a marker in the log
        }
    }

    /** The daemon's stderr so far. */
    public String daemonLog() {
        if (daemonStderr == null || !Files.exists(daemonStderr)) {
            return "(no daemon output)";
        }
        try {
            String text = Files.readString(daemonStderr, StandardCharsets.UTF_8);
            return text.isEmpty() ? "(empty)" : text;
        } catch (IOException e) {
            return "(cannot read " + daemonStderr + ": " + e + ")";
        }
    }

    /** The last lines of the daemon's stderr, headed, for assertion messages. */
    public String daemonLogTail(int lines) {
        List<String> all = daemonLog().lines().toList();
        return "--- daemon log (last " + lines + " lines) ---\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    // ------------------------------------------------------------------ waiting

    static void pause() {
        try {
            Thread.sleep(20); // polling interval while waiting for an observable condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls a condition until it holds or the deadline passes; true if it held. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pause();
        }
        return condition.getAsBoolean();
    }

    // ------------------------------------------------------------------ JUnit

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (!failurePrinted && daemonStderr != null) {
            failurePrinted = true;
            System.err.println("=== txfs daemon log (" + context.getDisplayName() + " failed) ===\n"
                    + daemonLogTail(200) + "\n=== end ===");
        }
    }
}
