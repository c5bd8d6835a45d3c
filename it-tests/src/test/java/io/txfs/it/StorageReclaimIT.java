package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The state directory gives back what views no longer hold (docs/storage-format.md, "Garbage
 * collection"): a view that wrote 300 MiB and removed it holds ~0 bytes and the state shrinks without
 * `txfs gc`; `txfs gc` reports the state before and after and leaves it small after publish + flush cycles;
 * the WAL stays bounded while small writes rewrite a file; only the mount's administrators may run gc.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class StorageReclaimIT {
    private static final int NOBODY = 65534;
    private static final long MIB = 1 << 20;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views();

    private static Path readableJar;

    @BeforeAll
    static void copyJar() throws IOException {
        readableJar = MountFixture.readableJarCopy(MOUNT.scratch().resolve("jar"));
    }

    private static String mnt() {
        return MOUNT.mountpoint().toString();
    }

    /** Runs a shell script in view {@code view} through `txfs run`; $0 is the mount. */
    private static void inView(String view, String script) {
        ProcessRun r = MOUNT.txfs("run", "--mount", mnt(), "--view", view, "--", "/bin/sh", "-c", script, mnt());
        assertEquals(0, r.exitCode(), r.describe());
    }

    private static JsonNode json(ProcessRun r) {
        assertTrue(r.succeeded(), r.describe());
        try {
            return ViewAgent.JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("not JSON\n" + r.describe(), e);
        }
    }

    private static long pendingBytes(String view) {
        for (JsonNode v : json(MOUNT.txfs("views", "--mount", mnt(), "--json")).path("views")) {
            if (v.path("name").asText().equals(view))
                return v.path("changed_bytes").asLong();
        }
        throw new AssertionError("no view " + view);
    }

    /** Apparent bytes of the engine's files under the state directory whose name ends with suffix ("" = all). */
    private static long stateBytes(String suffix) {
        long n = 0;
        try (Stream<Path> files = Files.walk(MOUNT.stateDirectory())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.isRegularFile(p) && p.toString().endsWith(suffix)) n += Files.size(p);
                } catch (NoSuchFileException gone) {
                    // removed by a compaction while we walked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) throw e;
        }
        return n;
    }

    @Test
    @Order(1)
    void aViewThatRemovesWhatItWroteHoldsNothingAndTheStateShrinksWithoutGc() {
        inView(
                "big",
                "cd \"$0\" && for i in 1 2 3; do dd if=/dev/urandom of=big$i bs=1M count=100 status=none || exit 1; done");
        long written = pendingBytes("big");
        assertTrue(written >= 300 * MIB && written <= 301 * MIB, "300 MiB written, pending " + written);
        assertTrue(stateBytes("") >= 300 * MIB, "the state holds it: " + stateBytes(""));
        // overwritten in place: no more bytes than the file holds
        inView("big", "cd \"$0\" && dd if=/dev/urandom of=big1 bs=1M count=100 conv=notrunc status=none");
        assertEquals(written, pendingBytes("big"), "an overwrite of the view's own bytes costs nothing more");

        inView("big", "cd \"$0\" && rm big1 big2 big3");
        assertTrue(
                MountFixture.await(Duration.ofSeconds(60), () -> pendingBytes("big") == 0 && stateBytes("") < 64 * MIB),
                "within a minute: pending " + pendingBytes("big") + ", state " + stateBytes(""));
        ProcessRun status = MOUNT.txfs("status", "--mount", mnt(), "big");
        assertTrue(status.succeeded() && status.stdout().contains(" 0 bytes pending"), status.describe());
        assertEquals(0, MOUNT.txfs("abort", "--mount", mnt(), "big").exitCode());
    }

    @Test
    @Order(2)
    void publishFlushCyclesLeaveASmallStateAfterGcAndTheWalStaysBounded() {
        long maxWal = 0;
        for (int cycle = 1; cycle <= 3; cycle++) {
            String view = "cycle" + cycle;
            // 200 files of 100 KiB in 4 KiB writes: each write rewrites a file's first chunk in the store
            inView(
                    view,
                    "mkdir -p \"$0/cycles\" && cd \"$0/cycles\" && head -c 102400 /dev/urandom > /tmp/src-$$ && "
                            + "for i in $(seq 1 200); do dd if=/tmp/src-$$ of=f$i bs=4k status=none || exit 1; done; rm -f /tmp/src-$$");
            assertEquals(0, MOUNT.txfs("publish", "--mount", mnt(), view).exitCode());
            assertEquals(0, MOUNT.txfs("flush", "--mount", mnt()).exitCode());
            assertEquals(0, MOUNT.txfs("views", "rm", "--mount", mnt(), view).exitCode());
            maxWal = Math.max(maxWal, stateBytes(".log"));
        }
        // 4 KiB writes rewriting one 64 KiB chunk: ~64 KiB of WAL each, 8,000 of them ~500 MiB
        inView(
                "wal",
                "exec python3 -c 'import os,sys\nfd=os.open(sys.argv[1],os.O_WRONLY|os.O_CREAT,0o644)\nb=os.urandom(4096)\n"
                        + "for i in range(8000): os.pwrite(fd,b,(i%16)*4096)\nos.close(fd)' \"$0/rewritten\"");
        maxWal = Math.max(maxWal, stateBytes(".log"));
        assertTrue(maxWal <= 320 * MIB, "WAL files held " + maxWal + " bytes");
        assertEquals(0, MOUNT.txfs("abort", "--mount", mnt(), "wal").exitCode());

        JsonNode gc = json(MOUNT.txfs("gc", "--mount", mnt(), "--json"));
        assertTrue(gc.path("ok").asBoolean(), gc.toString());
        assertTrue(gc.path("bytes_after").asLong() < gc.path("bytes_before").asLong(), gc.toString());
        assertTrue(gc.path("bytes_after").asLong() < 64 * MIB, gc.toString());
        assertTrue(stateBytes("") < 64 * MIB, "state after gc: " + stateBytes(""));
        assertTrue(stateBytes(".log") < 8 * MIB, "WAL after gc: " + stateBytes(".log"));
        ProcessRun text = MOUNT.txfs("gc", "--mount", mnt());
        assertTrue(
                text.succeeded() && text.stdout().matches("(?s)state: \\d+ bytes before, \\d+ bytes after .*"),
                text.describe());
        // the published files are intact in the backing directory and through the mount
        assertEquals(200, MOUNT.backing().resolve("cycles").toFile().list().length);
        assertEquals(102400, MOUNT.backing().resolve("cycles/f17").toFile().length());
    }

    @Test
    @Order(3)
    void gcIsForTheMountsAdministratorsOnly() {
        ProcessRun denied = MOUNT.txfsAs(NOBODY, readableJar, "gc --mount " + mnt());
        assertEquals(1, denied.exitCode(), denied.describe());
        assertTrue(
                denied.stderr().contains("EPERM") && denied.stderr().contains("not uid " + NOBODY), denied.describe());
        assertEquals(1, denied.stderr().lines().count(), "a one-line reason\n" + denied.describe());
    }
}
