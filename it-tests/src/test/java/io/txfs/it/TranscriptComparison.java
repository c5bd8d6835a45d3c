package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * Runs a scenario once in a fresh plain directory and once in a fresh directory inside the mount, and
 * asserts the two transcripts are equal. The plain run must also succeed and show every line the
 * scenario expects, so that "equal" never means "equally broken".
 */
final class TranscriptComparison {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
  /** A filesystem other than the one under /tmp, for the native run's EXDEV cases. */
  private static final Path OTHER_FILESYSTEM = Path.of("/dev/shm");

  private TranscriptComparison() {}

  /** Compares the scenario on a plain directory with the same scenario inside the mount. */
  static ProcessRun assertSameAsNative(MountFixture mount, String scenario) {
    return assertSameAsNative(mount, scenario, DEFAULT_TIMEOUT);
  }

  static ProcessRun assertSameAsNative(MountFixture mount, String scenario, Duration timeout) {
    return assertSameAsNative(mount, scenario, timeout, false);
  }

  /**
   * As above; when unprivileged, both runs are made as uid/gid 65534 in directories that user owns,
   * and the scenario's {@code expect:} lines (written for root) are not required.
   */
  static ProcessRun assertSameAsNative(MountFixture mount, String scenario, Duration timeout, boolean unprivileged) {
    String name = scenario.replace('.', '-') + (unprivileged ? "-unprivileged" : "");
    Path nativeDir = freshDirectory(mount.scratch().resolve("native"), name);
    Path mountedDir = freshDirectory(mount.mountpoint(), name);
    // Out of each run's filesystem: tmpfs for the plain run, the plain /tmp filesystem for the mount.
    Path nativeOutside = freshDirectory(OTHER_FILESYSTEM, "txfs-it-outside-" + ProcessHandle.current().pid() + "-" + name);
    Path mountedOutside = freshDirectory(mount.scratch().resolve("outside"), name);
    if (unprivileged) {
      for (Path dir : List.of(nativeDir, mountedDir, nativeOutside, mountedOutside)) {
        giveToUnprivilegedUser(dir);
      }
    }
    try {
      ProcessRun expected = Scenarios.run(scenario, nativeDir, nativeOutside, timeout, unprivileged);
      if (unprivileged) {
        assertTrue(expected.succeeded() && expected.stderr().isBlank(),
            () -> "scenario " + scenario + " does not run cleanly as uid 65534 on a plain directory:\n" + expected.describe());
      } else {
        assertNativeRunIsValid(scenario, expected);
      }
      ProcessRun actual = Scenarios.run(scenario, mountedDir, mountedOutside, timeout, unprivileged);
      if (!expected.stdout().equals(actual.stdout()) || actual.exitCode() != expected.exitCode()) {
        fail("scenario " + scenario + ": the mount's transcript differs from a plain directory's"
            + "\n--- plain directory, +++ txfs mount:\n" + LineDiff.of(expected.stdout(), actual.stdout())
            + "\nmount run: exit " + (actual.timedOut() ? "timed out" : actual.exitCode())
            + (actual.stderr().isBlank() ? "" : ", stderr:\n" + actual.stderr().strip())
            + "\ndaemon stderr (last lines):\n" + mount.daemonLogTail(40));
      }
      return actual;
    } finally {
      deleteTree(nativeOutside);
    }
  }

  /** The transcript of a plain directory must come from a complete run that shows what it promises. */
  static void assertNativeRunIsValid(String scenario, ProcessRun run) {
    assertTrue(run.succeeded() && run.stderr().isBlank(),
        () -> "scenario " + scenario + " does not run cleanly on a plain directory:\n" + run.describe());
    List<String> lines = run.stdout().lines().toList();
    for (String expected : Scenarios.expectations(scenario)) {
      assertTrue(lines.stream().anyMatch(l -> l.equals(expected)),
          () -> "scenario " + scenario + " on a plain directory lacks the expected line \"" + expected + "\":\n"
              + run.stdout());
    }
  }

  static Path freshDirectory(Path parent, String name) {
    try {
      Files.createDirectories(parent);
      Path dir = Files.createDirectory(parent.resolve(name));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scenario directory in " + parent, e);
    }
  }

  private static void giveToUnprivilegedUser(Path dir) {
    try {
      Files.setAttribute(dir, "unix:uid", Scenarios.UNPRIVILEGED_ID);
      Files.setAttribute(dir, "unix:gid", Scenarios.UNPRIVILEGED_ID);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot give " + dir + " to uid " + Scenarios.UNPRIVILEGED_ID, e);
    }
  }

  static void deleteTree(Path dir) {
    ProcessRun.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), Duration.ofMinutes(1));
  }
}
