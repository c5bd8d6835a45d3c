package io.txfs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the daemon as a detached child ({@code mount -f} in a new session) and returns only once the
 * mount is observed serving: the mount table shows it and a stat through it is answered.
 */
final class DaemonLauncher {
    private DaemonLauncher() {}

    static int launch(MountCommand cmd, StateDirectory stateDir, Path mountpoint)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // the daemon must not belong to the caller's terminal session: it would get its SIGHUP
            argv.add("/usr/bin/setsid");
        }
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(DaemonJvm.options(System.getenv("TXFS_DAEMON_JAVA_OPTS")));
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(Txfs.class.getName());
        argv.addAll(cmd.foregroundArguments(stateDir));

        Path out = stateDir.daemonOutput();
        ProcessBuilder builder = new ProcessBuilder(argv);
        DaemonJvm.ENVIRONMENT.forEach(builder.environment()::putIfAbsent);
        Process daemon = builder.redirectInput(
                        ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(cmd.startupTimeoutSeconds());
        ProgressRenderer shown = cmd.progress.renderer();
        try {
            return await(cmd, stateDir, mountpoint, daemon, out, deadline, shown);
        } finally {
            if (shown != null) shown.end();
        }
    }

    private static int await(
            MountCommand cmd,
            StateDirectory stateDir,
            Path mountpoint,
            Process daemon,
            Path out,
            long deadline,
            ProgressRenderer shown)
            throws IOException, InterruptedException {
        Path progress = stateDir.path().resolve("progress.json");
        while (System.nanoTime() < deadline) {
            if (shown != null) {
                // recovery (a flush rolled forward) may take long: the daemon writes how far it got
                ProgressFileReader.newest(progress).ifPresent(shown::show);
            }
            if (!daemon.isAlive()) {
                System.err.println("txfs: the daemon exited with status " + daemon.exitValue()
                        + " before serving; its output (" + out + "):");
                System.err.print(tail(out, 40));
                return Txfs.EXIT_FAILURE;
            }
            if (MountTable.isFuseMountAt(mountpoint) && answersStat(mountpoint)) {
                System.err.println("txfs: mounted at " + mountpoint + " (daemon pid " + daemon.pid() + ", state "
                        + stateDir.path() + ")");
                if (cmd.verbose) {
                    negotiated(out).ifPresent(n -> System.err.println("txfs: kernel " + n));
                }
                return Txfs.EXIT_OK;
            }
            daemon.waitFor(50, TimeUnit.MILLISECONDS);
        }
        daemon.destroy();
        System.err.println("txfs: the mount did not come up within " + cmd.startupTimeoutSeconds()
                + " s; stopped the daemon. Output (" + out + "):");
        System.err.print(tail(out, 40));
        return Txfs.EXIT_FAILURE;
    }

    /** The daemon logs what INIT negotiated before the mount answers its first stat. */
    private static Optional<String> negotiated(Path out) {
        try {
            List<String> lines = Files.readAllLines(out);
            for (int i = lines.size() - 1; i >= 0; i--) {
                int at = lines.get(i).indexOf("negotiated FUSE");
                if (at >= 0) {
                    return Optional.of(lines.get(i).substring(at));
                }
            }
        } catch (IOException e) {
            // only informative
        }
        return Optional.empty();
    }

    private static boolean answersStat(Path mountpoint) {
        try {
            Files.readAttributes(mountpoint, "unix:ino");
            // statfs always reaches the filesystem; a stat can be answered from a dead mount's cache
            Files.getFileStore(mountpoint).getTotalSpace();
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            StringBuilder b = new StringBuilder();
            for (String l : all.subList(Math.max(0, all.size() - lines), all.size())) {
                b.append("  ").append(l).append('\n');
            }
            return b.toString();
        } catch (IOException e) {
            return "  (unreadable: " + e.getMessage() + ")\n";
        }
    }
}
