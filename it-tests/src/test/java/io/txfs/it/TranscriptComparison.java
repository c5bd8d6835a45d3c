package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
        return compare(mount, null, scenario, timeout, unprivileged);
    }

    /** A scenario run inside view {@code name} of a views mount, entered the given way. */
    record InView(MountFixture mount, String name, ViewAgent.Way way) {}

    /**
     * A difference from a plain directory that a test knows of and pins: the line of {@code operation} (the
     * transcript's text before the first ": ") may differ, and then must read {@code operation + ": "} and
     * an outcome matching {@code outcome} (a regex). {@code why} says why (a finding, or a reason by design).
     * A pin that no run needs fails the test, so a difference that goes away takes its pin with it.
     */
    record Known(String operation, String outcome, String why) {}

    /**
     * Compares the scenario on a plain directory with the same scenario run inside a fresh view of a views
     * mount (its own view, named after the scenario and the way in), entered through the shared root or
     * through a mount namespace. Lines may differ only as {@code known} says, and each of those must.
     */
    static ProcessRun assertSameAsNativeInView(
            MountFixture mount, ViewAgent.Way way, String scenario, List<Known> known) {
        String view = "suite-" + scenario.replace('.', '-') + "-"
                + way.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return compare(mount, new InView(mount, view, way), scenario, DEFAULT_TIMEOUT, false, known);
    }

    /** Plain-directory transcripts by scenario: deterministic (ScenarioDeterminismIT), so each runs once per JVM. */
    private static final Map<String, ProcessRun> NATIVE = new ConcurrentHashMap<>();

    private static ProcessRun compare(
            MountFixture mount, InView view, String scenario, Duration timeout, boolean unprivileged) {
        return compare(mount, view, scenario, timeout, unprivileged, List.of());
    }

    private static ProcessRun compare(
            MountFixture mount,
            InView view,
            String scenario,
            Duration timeout,
            boolean unprivileged,
            List<Known> known) {
        String name = scenario.replace('.', '-')
                + (unprivileged ? "-unprivileged" : "")
                + (view == null ? "" : "-" + view.name());
        // in a view the scenario makes its directory itself, inside the view
        Path mountedDir = view == null
                ? freshDirectory(mount.mountpoint(), name)
                : mount.mountpoint().resolve(name);
        Path mountedOutside = freshDirectory(mount.scratch().resolve("outside"), name);
        if (unprivileged) {
            for (Path dir : List.of(mountedDir, mountedOutside)) {
                giveToUnprivilegedUser(dir);
            }
        }
        ProcessRun expected = NATIVE.computeIfAbsent(
                scenario + (unprivileged ? " unprivileged" : ""),
                k -> runNative(mount, scenario, name, timeout, unprivileged));
        ProcessRun actual = Scenarios.run(scenario, mountedDir, mountedOutside, timeout, unprivileged, view);
        String where = view == null
                ? "txfs " + mount.mode().name().toLowerCase(Locale.ROOT) + " mount"
                : "view " + view.name() + " (" + view.way() + ")";
        List<String> problems = new ArrayList<>();
        if (actual.exitCode() != expected.exitCode()) {
            problems.add(
                    "exit " + (actual.timedOut() ? "timed out" : actual.exitCode()) + ", plain " + expected.exitCode());
        }
        List<String> want = expected.stdout().lines().toList();
        List<String> got = actual.stdout().lines().toList();
        Set<Known> used = new HashSet<>();
        if (want.size() != got.size()) {
            problems.add(got.size() + " lines, plain " + want.size());
        } else {
            for (int i = 0; i < want.size(); i++) {
                String w = want.get(i);
                String g = got.get(i);
                if (w.equals(g)) {
                    continue;
                }
                Optional<Known> pin = known.stream()
                        .filter(k -> w.startsWith(k.operation() + ": ")
                                && g.startsWith(k.operation() + ": ")
                                && g.substring(k.operation().length() + 2).matches(k.outcome()))
                        .findFirst();
                if (pin.isPresent()) {
                    used.add(pin.get());
                } else {
                    problems.add("line " + (i + 1) + " differs and no known difference covers it: " + g);
                }
            }
        }
        if (problems.isEmpty() && used.isEmpty() && !expected.stdout().equals(actual.stdout())) {
            problems.add("the transcripts differ in their line endings");
        }
        for (Known k : known) {
            if (!used.contains(k)) {
                problems.add("the known difference \"" + k.operation() + ": " + k.outcome() + "\" (" + k.why()
                        + ") did not occur: remove it if it is gone");
            }
        }
        if (!problems.isEmpty()) {
            fail("scenario " + scenario + ": the transcript in the " + where + " differs from a plain directory's:\n- "
                    + String.join("\n- ", problems)
                    + "\n--- plain directory, +++ " + where + ":\n" + LineDiff.of(expected.stdout(), actual.stdout())
                    + "\nmount run: exit " + (actual.timedOut() ? "timed out" : actual.exitCode())
                    + (actual.stderr().isBlank()
                            ? ""
                            : ", stderr:\n" + actual.stderr().strip())
                    + "\n" + mount.daemonLogTail(40));
        }
        return actual;
    }

    /** The scenario in a fresh plain directory beside the mount; it must run cleanly (see assertNativeRunIsValid). */
    private static ProcessRun runNative(
            MountFixture mount, String scenario, String name, Duration timeout, boolean unprivileged) {
        Path nativeDir = freshDirectory(mount.scratch().resolve("native"), name);
        // Out of each run's filesystem: tmpfs for the plain run, the plain /tmp filesystem for the mount.
        Path nativeOutside = freshDirectory(
                OTHER_FILESYSTEM, "txfs-it-outside-" + ProcessHandle.current().pid() + "-" + name);
        try {
            if (unprivileged) {
                giveToUnprivilegedUser(nativeDir);
                giveToUnprivilegedUser(nativeOutside);
            }
            ProcessRun expected = Scenarios.run(scenario, nativeDir, nativeOutside, timeout, unprivileged);
            if (unprivileged) {
                assertTrue(
                        expected.succeeded() && expected.stderr().isBlank(),
                        () -> "scenario " + scenario + " does not run cleanly as uid 65534 on a plain directory:\n"
                                + expected.describe());
            } else {
                assertNativeRunIsValid(scenario, expected);
            }
            return expected;
        } finally {
            deleteTree(nativeOutside);
            deleteTree(nativeDir);
        }
    }

    /** The transcript of a plain directory must come from a complete run that shows what it promises. */
    static void assertNativeRunIsValid(String scenario, ProcessRun run) {
        assertTrue(
                run.succeeded() && run.stderr().isBlank(),
                () -> "scenario " + scenario + " does not run cleanly on a plain directory:\n" + run.describe());
        List<String> lines = run.stdout().lines().toList();
        for (String expected : Scenarios.expectations(scenario)) {
            assertTrue(
                    lines.stream().anyMatch(l -> l.equals(expected)),
                    () -> "scenario " + scenario + " on a plain directory lacks the expected line \"" + expected
                            + "\":\n" + run.stdout());
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
