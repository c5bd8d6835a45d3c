package io.txfs.client;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A child process that enters a view and then becomes the step's command. The process that writes
 * {@code begin} enters the view, with what it forks afterwards; this JVM must stay outside (it runs many
 * steps, each in its own view), so a shell writes it and then execs the command: same process, same view.
 *
 * <p>The shell reads the reply on the descriptor it wrote to (a process that sent no command there, its
 * {@code cat}, reads the last reply written on it) into a file, which this JVM reads once the process ended:
 * a refused {@code begin} is told apart from a command that merely exits 125. The command runs only when
 * the write succeeded and the reply says {@code ok} (the daemon's replies start {@code {"ok":}): either
 * alone means the same by the protocol, both make sure nothing runs outside the view it asked for.
 *
 * <p>It starts outside the mount ({@code /}) and enters the working directory only after the {@code begin},
 * so the directory is looked up in the view; a directory entered before would still name the old view's.
 */
final class ViewEntry {
    /** The status the shell exits with when it did not get as far as the command. */
    private static final int NOT_ENTERED = 125;
    /** The line the shell adds to the reply when the working directory is not there in the view. */
    private static final String NO_DIRECTORY = "no-directory";

    private static final String SCRIPT = String.join(
            "\n",
            "ctl=$1 line=$2 reply=$3 dir=$4; shift 4",
            "exec 3<>\"$ctl\" || exit " + NOT_ENTERED,
            "printf '%s\\n' \"$line\" >&3 2>/dev/null; entered=$?",
            "cat <&3 >\"$reply\"",
            "exec 3>&-",
            "[ \"$entered\" -eq 0 ] || exit " + NOT_ENTERED,
            "IFS= read -r begun <\"$reply\"",
            "case $begun in '{\"ok\":true'*) ;; *) exit " + NOT_ENTERED + " ;; esac",
            "cd \"$dir\" 2>/dev/null || { echo " + NO_DIRECTORY + " >>\"$reply\"; exit " + NOT_ENTERED + "; }",
            "[ $# -gt 0 ] || exit 0",
            "exec \"$@\"");

    private final ControlFile control;

    ViewEntry(ControlFile control) {
        this.control = control;
    }

    /** The outcome: the {@code begin} reply and the command's exit status and output (empty when inherited). */
    record Outcome(JsonObject begun, int exitCode, String stdout, String stderr) {}

    /**
     * Enters the view with {@code beginLine}, then runs {@code command} in {@code dir} (no command: only the
     * begin, which leaves a named view behind). Throws the begin's refusal.
     */
    Outcome run(String beginLine, Path dir, List<String> command, Map<String, String> environment, boolean inheritIo)
            throws IOException {
        Path reply = Files.createTempFile("txfs-begin-", ".json");
        requireOutsideMount(reply);
        Path out = inheritIo ? null : Files.createTempFile("txfs-stdout-", ".txt");
        Path err = inheritIo ? null : Files.createTempFile("txfs-stderr-", ".txt");
        try {
            List<String> argv = new ArrayList<>(List.of(
                    "/bin/sh", "-c", SCRIPT, "txfs-step", control.path().toString(), beginLine, reply.toString()));
            argv.add(dir.toString());
            argv.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(argv).directory(new File("/"));
            // a shell stat()s an inherited $PWD at start: a lookup in the mount before it entered the view
            pb.environment().remove("PWD");
            pb.environment().putAll(environment);
            if (inheritIo) {
                pb.inheritIO();
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
            }
            int status = waitFor(pb.start());
            JsonObject begun = entered(reply, beginLine, dir);
            return new Outcome(begun, status, text(out), text(err));
        } finally {
            Files.deleteIfExists(reply);
            if (out != null) Files.deleteIfExists(out);
            if (err != null) Files.deleteIfExists(err);
        }
    }

    /**
     * The files the step writes for this JVM must not be in the mount: the step writes them in its view, where
     * this JVM would not see them.
     */
    private void requireOutsideMount(Path temporary) throws IOException {
        Path mount = control.path().getParent().getParent().toRealPath();
        if (temporary.toRealPath().startsWith(mount)) {
            Files.deleteIfExists(temporary);
            throw new IllegalStateException(
                    "java.io.tmpdir (" + temporary.getParent() + ") is inside the mount " + mount + ": set it outside");
        }
    }

    /** The begin's reply, or its refusal; a working directory missing in the view is ENOENT. */
    private JsonObject entered(Path replyFile, String beginLine, Path dir) throws IOException {
        List<String> lines = Files.readAllLines(replyFile, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new MalformedReplyException(
                    "the step's shell got no reply to '" + beginLine + "' from " + control.path());
        }
        JsonObject reply = JsonObject.parse(lines.get(0));
        if (!reply.bool("ok")) {
            throw Replies.refusal(reply);
        }
        if (lines.contains(NO_DIRECTORY)) {
            throw new TxfsException(
                    "ENOENT",
                    "the working directory " + dir + " does not exist in view " + reply.string("view")
                            + " (changes pending in another view are not visible in it)");
        }
        return reply;
    }

    private static int waitFor(Process p) throws InterruptedIOException {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a step ran; the step was stopped");
        }
    }

    private static String text(Path file) throws IOException {
        // not Files.readString: a command's output need not be valid UTF-8, and is not refused for it
        return file == null ? "" : new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
