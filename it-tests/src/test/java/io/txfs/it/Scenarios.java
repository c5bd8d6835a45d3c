package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scenario scripts of src/test/resources/scenarios, unpacked once per test JVM into a directory
 * every user can read, with the C ones compiled by the system's gcc.
 *
 * <p>A scenario runs in a working directory and prints a normalized transcript on stdout (see
 * fsx.py / fsx.h). Its source may declare {@code expect:} lines that the transcript of a plain local
 * directory must contain, which keeps a scenario honest about the errors it claims to exercise.
 */
final class Scenarios {
    /** Every file the scenarios need; the resources are not listable from a jar, so they are named. */
    private static final List<String> FILES = List.of(
            "fsx.py",
            "fsx.h",
            "dirs.py",
            "files.py",
            "names.py",
            "rename.py",
            "rename2.c",
            "links.py",
            "attrs.py",
            "truncate.py",
            "xattr.py",
            "sparse.py",
            "special.py",
            "efbig.py",
            "mapping.py",
            "coherence.py",
            "forget.py",
            "readdir.py",
            "exec.sh",
            "tools.sh",
            "big.sh",
            "gen.c",
            "perms.sh",
            "perms_user.py");

    private static final Pattern EXPECT = Pattern.compile("^\\s*(?:#|\\*|//)\\s*expect: (.*)$");
    private static final Path PYTHON =
            Files.isExecutable(Path.of("/usr/bin/python3")) ? Path.of("/usr/bin/python3") : Path.of("python3");
    private static Path directory;

    private Scenarios() {}

    /** The unpacked scenarios, compiled on first use. */
    static synchronized Path directory() {
        if (directory == null) {
            directory = unpack();
        }
        return directory;
    }

    private static Path unpack() {
        try {
            Path dir = Files.createTempDirectory("txfs-it-scenarios-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String name : FILES) {
                try (InputStream in = Scenarios.class.getResourceAsStream("/scenarios/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("missing test resource scenarios/" + name);
                    }
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            for (String name : FILES) {
                if (name.endsWith(".c")) {
                    compile(dir, name);
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TranscriptComparison.deleteTree(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the scenarios", e);
        }
    }

    private static void compile(Path dir, String source) {
        String binary = source.substring(0, source.length() - 2);
        ProcessRun gcc = ProcessRun.run(
                List.of("gcc", "-O2", "-Wall", "-Werror", "-o", binary, source), dir, Map.of(), Duration.ofSeconds(60));
        assertTrue(gcc.succeeded(), () -> "cannot compile scenario " + source + ":\n" + gcc.describe());
    }

    /** The lines a local directory's transcript must contain, as declared in the scenario's source. */
    static List<String> expectations(String scenario) {
        List<String> expected = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(directory().resolve(scenario), StandardCharsets.UTF_8)) {
                Matcher m = EXPECT.matcher(line);
                if (m.matches()) {
                    expected.add(m.group(1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expected;
    }

    /**
     * Runs one scenario (a file name such as {@code dirs.py}) with workDir as its working directory.
     * {@code outside} is a directory on another filesystem than workDir, for the EXDEV cases.
     */
    static ProcessRun run(String scenario, Path workDir, Path outside, Duration timeout) {
        return run(scenario, workDir, outside, timeout, false);
    }

    /** The unprivileged user scenarios run as when asked to (nobody/nogroup on Debian). */
    static final int UNPRIVILEGED_ID = 65534;

    /** As {@link #run(String, Path, Path, Duration)}, as uid/gid 65534 with no groups when unprivileged. */
    static ProcessRun run(String scenario, Path workDir, Path outside, Duration timeout, boolean unprivileged) {
        return run(scenario, workDir, outside, timeout, unprivileged, null);
    }

    /**
     * As above; with {@code view} not null the scenario runs inside that view ({@code txfs run --view NAME
     * --namespace always|never}), where it first makes workDir itself: a directory the test JVM made would
     * be in the JVM's own (session) view, not in the scenario's.
     */
    static ProcessRun run(
            String scenario,
            Path workDir,
            Path outside,
            Duration timeout,
            boolean unprivileged,
            TranscriptComparison.InView view) {
        Path dir = directory();
        List<String> command = new ArrayList<>();
        if (view != null) {
            command.addAll(MountFixture.command(
                    "run",
                    "--mount",
                    view.mount().mountpoint().toString(),
                    "--view",
                    view.name(),
                    "--namespace",
                    view.way().option,
                    "--",
                    "/bin/sh",
                    "-c",
                    "mkdir -m 0755 \"$0\" && cd \"$0\" && exec \"$@\"",
                    workDir.toString()));
        }
        if (unprivileged) {
            command.addAll(
                    List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID, "--clear-groups"));
        }
        if (scenario.endsWith(".py")) {
            command.add(PYTHON.toString());
            command.add(dir.resolve(scenario).toString());
        } else if (scenario.endsWith(".sh")) {
            command.add("/bin/sh");
            command.add(dir.resolve(scenario).toString());
        } else if (scenario.endsWith(".c")) {
            command.add(
                    dir.resolve(scenario.substring(0, scenario.length() - 2)).toString());
        } else {
            throw new IllegalArgumentException("unknown scenario kind: " + scenario);
        }
        Map<String, String> env = new HashMap<>();
        env.put("PYTHONPATH", dir.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("SCENARIOS", dir.toString());
        env.put("CC", "gcc");
        env.put("GEN", dir.resolve("gen").toString());
        env.put("OUTSIDE", outside.toString());
        env.put("LC_ALL", "C");
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        // in a view the command starts outside the mount and enters workDir once it is in the view
        ProcessRun raw = ProcessRun.run(command, view == null ? workDir : outside, env, timeout);
        // A safety net: no scenario should print an absolute path, but if one does it must not differ.
        String stdout = raw.stdout().replace(workDir.toString(), "$WORKDIR").replace(outside.toString(), "$OUTSIDE");
        return new ProcessRun(raw.command(), raw.exitCode(), stdout, raw.stderr(), raw.timedOut());
    }
}
