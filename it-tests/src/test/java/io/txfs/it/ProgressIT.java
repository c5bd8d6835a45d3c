package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Long work shows progress: a flush reports its phases through the control file's {@code progress}
 * verb while it runs (other control commands are answered meanwhile, not queued behind it), and
 * {@code txfs flush} draws that as lines ({@code --progress=plain}), a bar on a terminal, nothing on a pipe.
 */
final class ProgressIT {
    /** Large enough that a flush lasts well beyond the CLI's 200 ms poll on any machine (it hashes and copies it). */
    private static final int MIB = 200;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static void publishBigView(String view) {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun w = MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                view,
                "--",
                "/bin/sh",
                "-c",
                "head -c " + MIB + "M /dev/zero > \"$0/" + view + ".bin\" && echo x > \"$0/" + view + ".txt\"",
                mnt);
        assertEquals(0, w.exitCode(), w.describe());
        ProcessRun p = MOUNT.txfs("publish", "--mount", mnt, view);
        assertEquals(0, p.exitCode(), p.describe());
    }

    /** One control command from this JVM, on its own descriptor. */
    private static JsonNode control(String line) throws IOException {
        try (FileChannel ch = FileChannel.open(
                MOUNT.mountpoint().resolve(".txfs/ctl"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(1 << 16);
            ch.read(reply);
            return ViewAgent.JSON.readTree(new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8));
        }
    }

    private static Process start(Path stderr, String... args) throws IOException {
        return new ProcessBuilder(MountFixture.command(args))
                .redirectErrorStream(false)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
    }

    @Test
    void aRunningFlushIsReportedAndOtherCommandsAreAnsweredMeanwhile() throws Exception {
        publishBigView("progress-a");
        Path err = MOUNT.scratch().resolve("flush-plain.err");
        Process flush = start(err, "flush", "--mount", MOUNT.mountpoint().toString(), "--progress=plain");
        List<String> phases = new ArrayList<>();
        try {
            AtomicBoolean sawRunning = new AtomicBoolean();
            MountFixture.await(Duration.ofSeconds(120), () -> {
                try {
                    for (JsonNode w : control("progress").path("running")) {
                        if (w.path("kind").asText().equals("flush") && flush.isAlive()) {
                            phases.add(w.path("phase").asText());
                            sawRunning.set(true);
                        }
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return sawRunning.get() || !flush.isAlive();
            });
            assertTrue(
                    sawRunning.get(),
                    "a progress reply named the running flush (answered while the flush's own write was in flight)");
            // an ordinary command is not queued behind the flush either
            assertTrue(control("views").path("ok").asBoolean());
            assertTrue(flush.waitFor(300, TimeUnit.SECONDS), "the flush ends");
        } finally {
            flush.destroyForcibly();
        }
        assertEquals(0, flush.exitValue());
        String text = Files.readString(err);
        assertTrue(text.contains("txfs: flush "), "plain progress lines on stderr:\n" + text);
        assertTrue(text.matches("(?s).*txfs: flush (delta ids|stage|apply): \\d+.*"), text);
        assertTrue(text.contains("flushed version"), text);
        assertTrue(control("progress").path("running").isEmpty(), "nothing runs once the flush has ended");
    }

    @Test
    void exportAndImportShowTheirBytes() {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun w = MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                "progress-x",
                "--",
                "/bin/sh",
                "-c",
                "head -c " + MIB + "M /dev/zero > \"$0/x.bin\"",
                mnt);
        assertEquals(0, w.exitCode(), w.describe());
        Path tar = MOUNT.scratch().resolve("progress-x.tar");
        ProcessRun export =
                MOUNT.txfs("export", "--mount", mnt, "progress-x", "-o", tar.toString(), "--progress=plain");
        assertEquals(0, export.exitCode(), export.describe());
        assertTrue(export.stderr().matches("(?s).*txfs: export write: [0-9.]+ MiB.*"), export.describe());
        ProcessRun imported = ProcessRun.run(
                List.of(
                        "/bin/sh",
                        "-c",
                        String.join(
                                        " ",
                                        MountFixture.command(
                                                "import", "--mount", mnt, "progress-y", "--progress=plain"))
                                + " < " + tar),
                MOUNT.scratch(),
                Map.of(),
                MountFixture.CLI_DEADLINE);
        assertEquals(0, imported.exitCode(), imported.describe());
        assertTrue(imported.stderr().contains("txfs: import "), imported.describe());
    }

    @Test
    void onAPipeOrWithNoneNothingIsDrawnAndOnATerminalABarIs() throws Exception {
        String mnt = MOUNT.mountpoint().toString();
        publishBigView("progress-b");
        ProcessRun piped = MOUNT.txfs("flush", "--mount", mnt);
        assertEquals(0, piped.exitCode(), piped.describe());
        assertFalse(piped.stderr().contains("txfs: flush stage"), "auto on a pipe draws nothing:\n" + piped.describe());
        assertFalse(piped.stderr().contains("%"), piped.describe());

        publishBigView("progress-c");
        // script(1) gives the CLI a terminal as stdout and stderr
        String cli = String.join(" ", MountFixture.command("flush", "--mount", mnt));
        ProcessRun tty = ProcessRun.run(
                List.of("script", "-qec", cli, "/dev/null"),
                MOUNT.scratch(),
                Map.of("TERM", "xterm", "COLUMNS", "120"),
                MountFixture.CLI_DEADLINE);
        assertEquals(0, tty.exitCode(), tty.describe());
        assertTrue(
                tty.stdout().contains("flush")
                        && tty.stdout().contains("%")
                        && tty.stdout().contains("\r"),
                "a bar redrawn in place on the terminal:\n" + tty.describe());

        MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                "progress-d",
                "--",
                "/bin/sh",
                "-c",
                "echo x > \"$0/progress-d.txt\"",
                mnt);
        MOUNT.txfs("publish", "--mount", mnt, "progress-d");
        ProcessRun none = MOUNT.txfs("flush", "--mount", mnt, "--progress=none");
        assertEquals(0, none.exitCode(), none.describe());
        assertFalse(none.stderr().contains("txfs: flush stage"), none.describe());
        ProcessRun bad = MOUNT.txfs("flush", "--mount", mnt, "--progress=sometimes");
        assertEquals(2, bad.exitCode(), "an unknown mode is a usage error:\n" + bad.describe());
    }
}
