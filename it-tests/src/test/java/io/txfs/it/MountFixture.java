package io.txfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real txfs mount for one test class (or one try-with-resources block): its own temporary backing
 * directory, mountpoint and state directory, and the daemon as a child process ({@code txfs mount -f}).
 *
 * <p>Mounted means observed serving: /proc/self/mountinfo shows a FUSE mount at the mountpoint and a
 * stat through it answered. A mount that does not come up fails the tests; only a machine without
 * /dev/fuse skips them. Closing unmounts, waits for the daemon (killing it if it hangs) and fails if a
 * mount is left behind. The daemon's stderr is kept in a file and printed when anything fails.
 */
public final class MountFixture implements BeforeAllCallback, AfterAllCallback, TestWatcher, AutoCloseable {
  static final Duration MOUNT_DEADLINE = Duration.ofSeconds(60);
  static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);
  /** The arguments that select the passthrough mode of {@code txfs mount}. */
  static final List<String> PASSTHROUGH = List.of("--mode", "passthrough");
  private static final Path DEV_FUSE = Path.of("/dev/fuse");
  private static final java.io.File DEV_NULL = new java.io.File("/dev/null");

  private final List<String> modeArguments;
  private final List<String> options;
  private final boolean overBacking;
  private Path root;
  private Path backing;
  private Path mountpoint;
  private Path state;
  private Path daemonStderr;
  private Process daemon;
  private boolean failurePrinted;
  /** Set when a test stopped the daemon on purpose; close() then only checks that no mount is left. */
  private boolean daemonEnded;

  private MountFixture(List<String> modeArguments, List<String> options, boolean overBacking) {
    this.modeArguments = List.copyOf(modeArguments);
    this.options = List.copyOf(options);
    this.overBacking = overBacking;
  }

  /** A passthrough mounted over its own backing directory (MOUNTPOINT = BACKING). */
  public static MountFixture passthroughOverBacking(String... options) {
    return new MountFixture(PASSTHROUGH, List.of(options), true);
  }

  /**
   * A fixture that mounts BACKING as a plain passthrough ({@code --mode passthrough}, no views) with
   * these -o options (none: the defaults) when its test class starts.
   */
  public static MountFixture passthrough(String... options) {
    return new MountFixture(PASSTHROUGH, List.of(options), false);
  }

  /** A fixture that mounts with the daemon's default mode (transactional views) and these -o options. */
  public static MountFixture views(String... options) {
    return new MountFixture(List.of(), List.of(options), false);
  }

  /** Mounts a passthrough now and returns the serving fixture; for use in try-with-resources. */
  public static MountFixture mountPassthrough(String... options) {
    MountFixture fixture = passthrough(options);
    fixture.start();
    return fixture;
  }

  public Path backing() {
    return backing;
  }

  public Path mountpoint() {
    return mountpoint;
  }

  /** A directory for the test's own files outside the mount, on the same filesystem as the backing. */
  public Path scratch() {
    return root;
  }

  public Process daemon() {
    return daemon;
  }

  public Path stateDirectory() {
    return state;
  }

  /** The path of the txfs jar under test (system property {@code txfs.jar}). */
  /**
   * A copy of the CLI jar and its lib/ in {@code dir}, readable by every uid: tests that run the CLI as
   * another user cannot read the fixtures' private copy. Returns the jar's path.
   */
  static Path readableJarCopy(Path dir) throws IOException {
    Path jar = jar();
    Files.createDirectories(dir.resolve("lib"));
    Files.copy(jar, dir.resolve("txfs.jar"));
    try (java.util.stream.Stream<Path> libs = Files.list(jar.resolveSibling("lib"))) {
      for (Path l : libs.toList()) {
        Files.copy(l, dir.resolve("lib").resolve(l.getFileName()));
      }
    }
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return dir.resolve("txfs.jar");
  }

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

  /** The command line that runs the txfs CLI with these arguments. */
  static List<String> txfs(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    return command;
  }

  /** Skips, loudly, only when the machine has no FUSE device at all. */
  static void requireFuseDevice() {
    if (!Files.exists(DEV_FUSE)) {
      System.err.println("*** txfs it-tests: SKIPPING mount tests: /dev/fuse does not exist on this machine ***");
      Assumptions.abort("/dev/fuse does not exist: FUSE mount tests cannot run here");
    }
  }

  /** Creates the directories, starts the daemon and waits until the mount answers. */
  public void start() {
    requireFuseDevice();
    if (daemon != null) {
      throw new IllegalStateException("already started");
    }
    try {
      createDirectories();
      // A restarted daemon appends, so that the log tells the whole story.
      daemonStderr = root.resolve("daemon.stderr");
      daemonEnded = false;
      logBefore = Files.exists(daemonStderr) ? Files.size(daemonStderr) : 0;
      List<String> args = new ArrayList<>(List.of("mount", "-f", "--state", state.toString()));
      args.addAll(modeArguments);
      if (!options.isEmpty()) {
        args.add("-o");
        args.add(String.join(",", options));
      }
      args.add(backing.toString());
      args.add(mountpoint.toString());
      daemon = new ProcessBuilder(txfs(args.toArray(String[]::new)))
          .redirectOutput(root.resolve("daemon.stdout").toFile())
          .redirectError(ProcessBuilder.Redirect.appendTo(daemonStderr.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the txfs daemon", e);
    }
    awaitServing();
  }

  /** Creates the temporary directories (start() does it too), so a test can fill BACKING first. */
  public void createDirectories() throws IOException {
    if (root != null) {
      return;
    }
    root = Files.createTempDirectory("txfs-it-");
    // Readable by all so that scenarios run as an unprivileged user can reach the mount.
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = root.toRealPath();
    backing = Files.createDirectory(root.resolve("backing"));
    mountpoint = overBacking ? backing : Files.createDirectory(root.resolve("mnt"));
    state = root.resolve("state");
  }

  /** Length of the daemon's stderr when start() began: a restarted daemon appends to it. */
  private long logBefore;

  /** Whether the daemon started last logged that it serves (MountCommand). */
  private boolean saidServing() {
    try {
      byte[] all = Files.readAllBytes(daemonStderr);
      String since = new String(all, (int) Math.min(logBefore, all.length), (int) Math.max(0, all.length - logBefore),
          java.nio.charset.StandardCharsets.UTF_8);
      return since.contains("MountCommand - serving ");
    } catch (IOException e) {
      return false;
    }
  }

  private void awaitServing() {
    long deadline = System.nanoTime() + MOUNT_DEADLINE.toNanos();
    String lastProblem = "no FUSE mount in /proc/self/mountinfo yet";
    while (System.nanoTime() < deadline) {
      if (!daemon.isAlive()) {
        failStart("the daemon exited with status " + daemon.exitValue() + " before the mount served");
      }
      Optional<MountTable.Mount> mount = MountTable.at(mountpoint);
      if (mount.isPresent() && !saidServing()) {
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
    String log = daemonLog();
    daemonEnded = true; // its exit is reported here; close() only has to leave nothing behind
    try {
      close();
    } catch (AssertionError | RuntimeException cleanup) {
      why += "\n(cleanup after the failed start also failed: " + cleanup.getMessage() + ")";
    }
    fail("txfs mount failed: " + why + "\ndaemon stderr:\n" + log);
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
      // (a restart after SIGKILL then looked served before the new daemon had even mounted)
      Future<Object> result = executor.submit(() -> Files.readAttributes(path, "unix:ino,mode").get("mode")
          .toString() + Files.getFileStore(path).getTotalSpace());
      result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Optional.empty();
    } catch (java.util.concurrent.TimeoutException e) {
      return Optional.of("no answer within " + timeout.toSeconds() + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      return Optional.of(String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    } finally {
      executor.shutdownNow();
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

  /** The last lines of the daemon's stderr, for assertion messages. */
  public String daemonLogTail(int lines) {
    List<String> all = daemonLog().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * Unmounts with {@code txfs unmount}, waits for the daemon to exit (SIGTERM, then SIGKILL if it
   * hangs), and fails if a mount is left behind or the daemon did not exit cleanly. Idempotent.
   */
  @Override
  public void close() {
    if (daemon == null) {
      if (mountpoint != null && MountTable.at(mountpoint).isPresent()) {
        forceUnmount();
        fail("a mount was left behind at " + mountpoint + " after the daemon had been stopped");
      }
      deleteRoot();
      return;
    }
    List<String> problems = new ArrayList<>();
    if (MountTable.at(mountpoint).isPresent()) {
      ProcessRun unmount = ProcessRun.run(txfs("unmount", mountpoint.toString()), EXIT_DEADLINE);
      if (!unmount.succeeded()) {
        problems.add("txfs unmount failed:\n" + unmount.describe());
      }
    }
    Integer status = awaitExit(EXIT_DEADLINE);
    if (daemonEnded && status != null) {
      status = 0; // its exit status was the test's business
    }
    if (status == null) {
      problems.add("the daemon did not exit within " + EXIT_DEADLINE.toSeconds() + " s of the unmount; SIGTERM sent");
      daemon.destroy();
      status = awaitExit(Duration.ofSeconds(10));
      if (status == null) {
        problems.add("the daemon ignored SIGTERM; SIGKILL sent");
        daemon.destroyForcibly();
        status = awaitExit(Duration.ofSeconds(10));
      }
    } else if (status != 0) {
      problems.add("the daemon exited with status " + status + " after the unmount");
    }
    if (MountTable.at(mountpoint).isPresent()) {
      problems.add("a mount was left behind at " + mountpoint + ": " + MountTable.at(mountpoint).get());
      forceUnmount();
    }
    Process finished = daemon;
    daemon = null;
    String log = daemonLog();
    deleteRoot(); // the log is in hand; nothing else in the temporary tree is worth keeping
    if (!problems.isEmpty()) {
      fail("txfs did not shut down cleanly:\n- " + String.join("\n- ", problems) + "\ndaemon pid "
          + finished.pid() + " stderr:\n" + log);
    }
  }

  /**
   * Sends the daemon SIGTERM (or SIGKILL when hard) and waits for it to exit; returns its exit status.
   * Fails if it does not exit in time. The mount is left to the caller to check and to clean.
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
      fail("the daemon did not exit within " + EXIT_DEADLINE.toSeconds() + " s of " + (hard ? "SIGKILL" : "SIGTERM")
          + "\ndaemon stderr:\n" + daemonLog());
    }
    return status;
  }

  /** Forgets a daemon that has exited, so that start() can run a new one on the same directories. */
  public void forgetDaemon() {
    if (daemon != null && daemon.isAlive()) {
      throw new IllegalStateException("the daemon is still running");
    }
    daemon = null;
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
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: a temp directory that survives is harmless
    }
    root = null;
  }

  private static void pause() {
    try {
      Thread.sleep(50); // polling interval while waiting for an observable condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls a condition until it holds or the deadline passes; true if it held. */
  static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      pause();
    }
    return condition.getAsBoolean();
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
    if (!failurePrinted && daemonStderr != null) {
      failurePrinted = true;
      System.err.println("=== txfs daemon stderr (" + context.getDisplayName() + " failed) ===\n" + daemonLog()
          + "\n=== end of daemon stderr ===");
    }
  }
}
