package io.txfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One finished child process: its exit code and everything it wrote. */
record ProcessRun(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    /**
     * Runs a command to completion within the timeout (killing it, and saying so, when it overruns).
     * Output goes through files rather than pipes so that a chatty child can never block on a full pipe.
     */
    static ProcessRun run(List<String> command, Path workDir, Map<String, String> env, Duration timeout) {
        try {
            Path out = Files.createTempFile("txfs-it-out", ".txt");
            Path err = Files.createTempFile("txfs-it-err", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(
                                Path.of("/dev/null").toFile()));
                if (workDir != null) {
                    builder.directory(workDir.toFile());
                }
                builder.environment().putAll(env);
                Process process = builder.start();
                boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(30, TimeUnit.SECONDS);
                }
                return new ProcessRun(
                        List.copyOf(command),
                        finished ? process.exitValue() : -1,
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8),
                        !finished);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static ProcessRun run(List<String> command, Duration timeout) {
        return run(command, null, Map.of(), timeout);
    }

    boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /** A description for assertion messages. */
    String describe() {
        return String.join(" ", command) + "\n  exit: " + (timedOut ? "timed out" : exitCode) + "\n  stdout:\n"
                + indent(stdout) + "\n  stderr:\n" + indent(stderr);
    }

    private static String indent(String text) {
        return text.isEmpty() ? "    (empty)" : text.strip().indent(4).stripTrailing();
    }
}
