package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Snapshots pin nothing they need not: with three idle snapshot views on a 256 MiB file, flushing a
 * 1-byte change keeps one 64 KiB chunk for them (their PINNED bytes in {@code txfs views}), not the
 * file, and each view still reads the old content in a process run in it.
 */
final class SnapshotFlushIT {
    private static final int MIB = 1 << 20;
    private static final int SIZE_MIB = 256;
    private static String before;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(SnapshotFlushIT::seed);

    private static void seed(Path backing) {
        try (OutputStream out = Files.newOutputStream(backing.resolve("big.bin"))) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Random r = new Random(15);
            byte[] block = new byte[MIB];
            for (int i = 0; i < SIZE_MIB; i++) {
                r.nextBytes(block);
                out.write(block);
                sha.update(block);
            }
            before = HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** sha256sum of big.bin as a process in view sees it. */
    private static String hashIn(String view) {
        String mnt = MOUNT.mountpoint().toString();
        ProcessRun r = MOUNT.txfs(
                "run", "--mount", mnt, "--view", view, "--isolation", "snapshot", "--", "sha256sum", mnt + "/big.bin");
        assertEquals(0, r.exitCode(), r.describe());
        return r.stdout().trim().split(" +")[0];
    }

    private static JsonNode views() throws IOException {
        ProcessRun r = MOUNT.txfs("views", "--mount", MOUNT.mountpoint().toString(), "--json");
        assertTrue(r.succeeded(), r.describe());
        return ViewAgent.JSON.readTree(r.stdout());
    }

    private static long pinned(JsonNode views, String name) {
        for (JsonNode v : views.path("views"))
            if (v.path("name").asText().equals(name))
                return v.path("pinned_bytes").asLong(-1);
        throw new AssertionError("no view " + name + " in " + views);
    }

    @Test
    void aOneByteFlushNextToALargeFileKeepsOneChunkForThreeIdleSnapshots() throws IOException {
        String mnt = MOUNT.mountpoint().toString();
        for (int i = 0; i < 3; i++)
            assertEquals(before, hashIn("snap" + i), "snap" + i + " reads the file as first listed");

        ProcessRun change = MOUNT.txfs(
                "run",
                "--mount",
                mnt,
                "--view",
                "writer",
                "--publish",
                "--",
                "/bin/sh",
                "-c",
                "printf X | dd of=\"$0/big.bin\" bs=1 seek=100000000 conv=notrunc status=none",
                mnt);
        assertEquals(0, change.exitCode(), change.describe());
        long t0 = System.nanoTime();
        ProcessRun flush = MOUNT.txfs("flush", "--mount", mnt);
        long flushMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, flush.exitCode(), flush.describe());
        byte[] one = new byte[1];
        try (var ch = FileChannel.open(MOUNT.backing().resolve("big.bin"))) {
            ch.read(ByteBuffer.wrap(one), 100_000_000);
        }
        assertEquals('X', one[0], "the change is in the backing file");

        JsonNode v = views();
        for (int i = 0; i < 3; i++) {
            long p = pinned(v, "snap" + i);
            // one 64 KiB chunk and a few old record versions; the whole file would be 256 MiB
            assertTrue(
                    p >= 64 * 1024 && p < MIB,
                    "snap" + i + " pins " + p + " bytes (flush took " + flushMs + " ms)\n" + v);
        }
        assertEquals(0, pinned(v, "writer"), "a view that reads the newest version pins nothing\n" + v);
        ProcessRun table = MOUNT.txfs("views", "--mount", mnt);
        assertTrue(table.stdout().lines().findFirst().orElse("").contains("PINNED"), table.describe());

        for (int i = 0; i < 3; i++) assertEquals(before, hashIn("snap" + i), "snap" + i + " still reads the old bytes");
        String now = hashIn("writer");
        assertTrue(!now.equals(before), "the writer reads the new content");
    }
}
