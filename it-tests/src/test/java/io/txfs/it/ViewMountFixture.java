package io.txfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A txfs mount in views mode (the product's default) for one test class: its own temporary backing
 * directory, mountpoint and state directory, the daemon ({@code txfs mount -f}) as a child process,
 * and the {@link ViewAgent}s the tests start in views. Closing stops the agents it started, unmounts,
 * and fails if a mount or the daemon is left behind. The daemon can be killed with SIGKILL and started
 * again on the same state directory ({@link #killDaemon()}, {@link #restart()}).
 */
public final class ViewMountFixture implements BeforeAllCallback, AfterAllCallback, TestWatcher, AutoCloseable {
    private static final Duration MOUNT_DEADLINE = Duration.ofSeconds(60);
    private static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);
    static final Duration CLI_DEADLINE = Duration.ofSeconds(60);

    private final List<String> mountArguments;
    /** JVM options of the daemon (after "java", before "-jar"). */
    private List<String> daemonJvmOptions = List.of();
    private java.util.function.Consumer<Path> seed = b -> { };
    private final List<ViewAgent> agents = new CopyOnWriteArrayList<>();
    private Path root;
    private Path backing;
    private Path mountpoint;
    private Path state;
    private Path daemonStderr;
    private Path agentScript;
    private Process daemon;
    private boolean failurePrinted;

    private ViewMountFixture(List<String> mountArguments) {
        this.mountArguments = List.copyOf(mountArguments);
    }

    /** A views-mode mount with these extra {@code txfs mount} arguments (e.g. "-o", "allow_other"). */
    public static ViewMountFixture views(String... mountArguments) {
        return new ViewMountFixture(List.of(mountArguments));
    }

    /** Fills the backing directory before the first mount (the daemon owns it afterwards). */
    public ViewMountFixture seeded(java.util.function.Consumer<Path> seed) {
        this.seed = seed;
        return this;
    }

    public Path backing() {
        return backing;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** A directory for the test's own files, outside the mount and the backing directory. */
    public Path scratch() {
        return root;
    }

    public Path stateDirectory() {
        return state;
    }

    /** The absolute path, through the mount, of a path relative to the mount root. */
    public String mnt(String relative) {
        return mountpoint.resolve(relative).toString();
    }

    Path agentScript() {
        return agentScript;
    }

    /** Creates the directories (first time only), starts the daemon and waits until the mount answers. */
    public void start() {
        MountFixture.requireFuseDevice();
        if (daemon != null && daemon.isAlive()) {
            throw new IllegalStateException("already started");
        }
        try {
            if (root == null) {
                Path made = Files.createTempDirectory("txfs-view-it-");
                // readable by all: one test reaches the mount as an unprivileged user
                Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rwxr-xr-x"));
                root = made.toRealPath();
                backing = Files.createDirectory(root.resolve("backing"));
                mountpoint = Files.createDirectory(root.resolve("mnt"));
                state = root.resolve("state");
                agentScript = root.resolve("view_agent.py");
                try (InputStream in = ViewMountFixture.class.getResourceAsStream("view_agent.py")) {
                    if (in == null) {
                        fail("view_agent.py is missing from the test resources");
                    }
                    Files.copy(in, agentScript);
                }
                Files.setPosixFilePermissions(agentScript, PosixFilePermissions.fromString("rw-r--r--"));
                seed.accept(backing);
            }
            daemonStderr = root.resolve("daemon.stderr");
            servedBefore = servingLines();
            List<String> args = new ArrayList<>(List.of("mount", "-f", "--state", state.toString()));
            args.addAll(mountArguments);
            args.add(backing.toString());
            args.add(mountpoint.toString());
            List<String> cmd = new ArrayList<>(command(args.toArray(String[]::new)));
            cmd.addAll(1, daemonJvmOptions);
            daemon = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("daemon.stdout").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(daemonStderr.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the txfs daemon", e);
        }
        awaitServing();
    }

    private long servedBefore;

    private long servingLines() {
        return daemonLog().lines().filter(l -> l.contains("MountCommand - serving ")).count();
    }

    private void awaitServing() {
        long deadline = System.nanoTime() + MOUNT_DEADLINE.toNanos();
        String lastProblem = "no FUSE mount in /proc/self/mountinfo yet";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                fail("txfs mount (views) exited with status " + daemon.exitValue() + " before serving\n" + daemonLogTail(60));
            }
            Optional<MountTable.Mount> m = MountTable.at(mountpoint);
            // After a restart the killed daemon's mount can still answer stat from the kernel's attribute
            // cache: wait for this daemon's own "serving" line (it comes after recovery and the mount).
            if (m.isPresent() && m.get().isFuse() && servingLines() > servedBefore) {
                Optional<String> problem = MountFixture.statAnswers(mountpoint, Duration.ofSeconds(10));
                if (problem.isEmpty()) {
                    return;
                }
                lastProblem = "mounted, but stat through it failed: " + problem.get();
            }
            pause();
        }
        fail("the views mount did not serve within " + MOUNT_DEADLINE.toSeconds() + " s: " + lastProblem + "\n"
                + daemonLogTail(60));
    }

    /** Runs the txfs CLI to completion, from the scratch directory. */
    public ProcessRun txfs(String... args) {
        return ProcessRun.run(command(args), root, Map.of(), CLI_DEADLINE);
    }

    /**
     * The CLI run as {@code uid} (its own group, no others) from the mount, through a jar copy that uid can
     * read ({@link MountFixture#readableJarCopy}); {@code args} is one shell-quoted string.
     */
    public ProcessRun txfsAs(int uid, Path readableJar, String args) {
        List<String> cmd = List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "/bin/sh", "-c", "exec " + Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + readableJar + " " + args);
        return ProcessRun.run(cmd, mountpoint, Map.of("HOME", "/tmp"), CLI_DEADLINE);
    }

    private static Path jarCopy;

    /**
     * The command line that runs the txfs CLI. It runs a private copy of the jar and its lib/ taken
     * once per test JVM, so that a rebuild of fs-tools while the tests run cannot pull the jar out from
     * under a daemon or a {@code txfs run}.
     */
    static synchronized List<String> command(String... args) {
        if (jarCopy == null) {
            Path jar = MountFixture.jar();
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

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    /** Runs any command to completion from a working directory. */
    public ProcessRun run(Path workDir, List<String> command) {
        return ProcessRun.run(command, workDir, Map.of(), CLI_DEADLINE);
    }

    /** Starts a Python agent with {@code txfs run --view NAME} through the given way in; see {@link ViewAgent}. */
    public ViewAgent agent(String view, ViewAgent.Way way, String isolation) {
        ViewAgent a = ViewAgent.start(this, view, way, isolation);
        agents.add(a);
        return a;
    }

    /** A plain agent outside txfs ({@link ViewAgent#plain}), stopped with the fixture like the others. */
    public ViewAgent plainAgent(String name) {
        ViewAgent a = ViewAgent.plain(this, name);
        agents.add(a);
        return a;
    }

    public ViewAgent agent(String view, ViewAgent.Way way) {
        return agent(view, way, null);
    }

    void forgetAgent(ViewAgent a) {
        agents.remove(a);
    }

    public Process daemon() {
        return daemon;
    }

    /** SIGKILLs the daemon and waits for it to be gone; the dead mount stays until {@link #restart()}. */
    public void killDaemon() {
        ProcessHandle h = daemon.toHandle();
        h.destroyForcibly();
        try {
            if (!daemon.waitFor(EXIT_DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                fail("the daemon did not die within " + EXIT_DEADLINE.toSeconds() + " s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        daemon = null;
    }

    /** Starts a new daemon on the same backing, mountpoint and state directory (it clears the dead mount). */
    public void restart() {
        restart(List.of());
    }

    /** {@link #restart()} with JVM options for the new daemon (and later restarts, until changed again). */
    public void restart(List<String> jvmOptions) {
        daemonJvmOptions = List.copyOf(jvmOptions);
        appendToLog("\n===== test: restarting the daemon on the same state directory " + daemonJvmOptions + " =====\n");
        start();
    }

    private void appendToLog(String text) {
        try {
            Files.writeString(daemonStderr, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // only a marker in the log
        }
    }

    public String daemonLog() {
        try {
            return daemonStderr != null && Files.exists(daemonStderr) ? Files.readString(daemonStderr) : "(no daemon output)";
        } catch (IOException e) {
            return "(cannot read the daemon log: " + e + ")";
        }
    }

    public String daemonLogTail(int lines) {
        List<String> all = daemonLog().lines().toList();
        return "--- daemon log (last " + lines + " lines) ---\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

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
        if (mountpoint != null && MountTable.at(mountpoint).isPresent()) {
            ProcessRun unmount = ProcessRun.run(command("unmount", mountpoint.toString()), EXIT_DEADLINE);
            if (!unmount.succeeded() && daemon != null) {
                problems.add("txfs unmount failed:\n" + unmount.describe());
            }
        }
        if (daemon != null) {
            try {
                if (!daemon.waitFor(EXIT_DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                    problems.add("the daemon did not exit within " + EXIT_DEADLINE.toSeconds()
                            + " s after the unmount; SIGKILL sent\n" + whyStillRunning());
                    daemon.destroyForcibly();
                    daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                } else if (daemon.exitValue() != 0) {
                    problems.add("the daemon exited with status " + daemon.exitValue());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            daemon = null;
        }
        if (mountpoint != null && MountTable.at(mountpoint).isPresent()) {
            ProcessRun.run(List.of("umount", "-l", mountpoint.toString()), Duration.ofSeconds(20));
            if (MountTable.at(mountpoint).isPresent()) {
                ProcessRun.run(List.of("fusermount3", "-u", "-z", mountpoint.toString()), Duration.ofSeconds(20));
            }
            problems.add("a mount was left behind at " + mountpoint);
        }
        String log = daemonLogTail(80);
        deleteRoot();
        if (!problems.isEmpty()) {
            fail("the views mount did not shut down cleanly:\n- " + String.join("\n- ", problems) + "\n" + log);
        }
    }

    /** What keeps a daemon alive after its unmount: its threads, and processes whose namespace still has the mount. */
    private String whyStillRunning() {
        StringBuilder b = new StringBuilder();
        ProcessRun mounts = ProcessRun.run(List.of("sh", "-c",
                "for m in /proc/[0-9]*/mountinfo; do grep -q \" $1 \" $m 2>/dev/null && echo \"${m%/mountinfo}\""
                        + " $(tr '\\0' ' ' < ${m%/mountinfo}/cmdline 2>/dev/null | cut -c1-150); done", "sh",
                mountpoint.toString()), Duration.ofSeconds(20));
        b.append("processes whose mount namespace still holds ").append(mountpoint).append(":\n")
                .append(mounts.stdout().isBlank() ? "(none)\n" : mounts.stdout());
        ProcessRun threads = ProcessRun.run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(daemon.pid()), "Thread.print"), Duration.ofSeconds(20));
        String dump = threads.stdout();
        b.append("daemon threads (jcmd Thread.print, first 150 lines):\n")
                .append(String.join("\n", dump.lines().limit(150).toList()));
        return b.toString();
    }

    private void deleteRoot() {
        if (root == null || MountTable.at(mountpoint).isPresent()) {
            return;
        }
        deleteTree(root);
        root = null;
    }

    static void pause() {
        try {
            Thread.sleep(20); // polling interval while waiting for an observable condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls until the condition holds or the deadline passes; true if it held. */
    static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) {
        return MountFixture.await(timeout, condition);
    }

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
        if (!failurePrinted) {
            failurePrinted = true;
            System.err.println("=== txfs daemon log (" + context.getDisplayName() + " failed) ===\n" + daemonLogTail(200)
                    + "\n=== end ===");
        }
    }
}
