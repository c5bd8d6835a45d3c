package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 points 6 and 7 through the real launcher ({@code txfs mount} without -f, so the daemon's JVM
 * is sized as users get it): a view of several GiB is written and exported as a tar, and the daemon's
 * resident size never reaches 512 MiB (its VmHWM, the kernel's own peak, and samples of VmRSS). The tar
 * is checked by GNU tar and by the sha256 of its big member, and imported into a new view whose tree id
 * equals the exported view's. {@code --format oci-dir} writes an image
 * layout whose digests the test recomputes, carrying the view's delta id, and which skopeo
 * inspects and umoci unpacks (Debian's packages). GiB written:
 * {@code -Dtxfs.it.export.gib=N} (default 2; scripts/bench-memory.sh measures 5).
 */
final class ExportMemoryIT {
    private static final long BUDGET = 512L << 20;
    private static final Duration LONG = Duration.ofMinutes(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    private static ProcessRun txfs(Duration timeout, String... args) {
        return ProcessRun.run(MountFixture.command(args), timeout);
    }

    /** A line of /proc/PID/status in bytes. */
    private static long status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException gone) {
            return -1;
        }
        return -1;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static JsonNode json(ProcessRun r) throws IOException {
        assertTrue(r.succeeded(), r.describe());
        return JSON.readTree(r.stdout());
    }

    @Test
    void aViewOfSeveralGibExportsAsATarAndAnImageLayoutWithTheDaemonUnder512Mib() throws Exception {
        MountFixture.requireFuseDevice();
        long gib = Long.getLong("txfs.it.export.gib", 2);
        Path root = Files.createTempDirectory("txfs-it-exportmem-").toRealPath();
        Path backing = Files.createDirectory(root.resolve("backing"));
        Path mnt = Files.createDirectory(root.resolve("mnt"));
        Path state = root.resolve("state");
        ProcessRun mount =
                txfs(Duration.ofMinutes(2), "mount", "--state", state.toString(), backing.toString(), mnt.toString());
        assertTrue(mount.succeeded(), mount.describe());
        Matcher m = DAEMON_PID.matcher(mount.stderr());
        assertTrue(m.find(), mount.describe());
        long pid = Long.parseLong(m.group(1));
        AtomicLong sampledPeak = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(
                () -> {
                    while (sampling.get()) {
                        sampledPeak.accumulateAndGet(status(pid, "VmRSS:"), Math::max);
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            String mp = mnt.toString();
            ProcessRun write = txfs(
                    LONG,
                    "run",
                    "--mount",
                    mp,
                    "--view",
                    "big",
                    "--",
                    "/bin/sh",
                    "-c",
                    "set -e; dd if=/dev/urandom of=\"$0/big.bin\" bs=1M count=" + (gib * 1024) + " status=none;"
                            + " mkdir -p \"$0/d\"; echo small > \"$0/d/small.txt\"; sha256sum \"$0/big.bin\"",
                    mp);
            assertTrue(write.succeeded(), write.describe());
            String expected = write.stdout().trim().split("\\s+")[0];

            Path tar = root.resolve("big.tar");
            ProcessRun export = txfs(LONG, "export", "--mount", mp, "big", "-o", tar.toString());
            assertTrue(export.succeeded(), export.describe());
            long hwm = status(pid, "VmHWM:");
            assertTrue(hwm > 0 && hwm < BUDGET, "the daemon's peak resident size was " + (hwm >> 20) + " MiB");

            ProcessRun list = ProcessRun.run(List.of("tar", "-tvf", tar.toString()), Duration.ofMinutes(5));
            assertTrue(list.succeeded(), list.describe());
            assertTrue(
                    list.stdout().contains(" " + (gib << 30) + " ")
                            && list.stdout().contains("big.bin")
                            && list.stdout().contains("d/small.txt"),
                    list.describe());
            Path member = root.resolve("member");
            ProcessRun extract = ProcessRun.run(
                    List.of("/bin/sh", "-c", "tar -xOf \"$0\" big.bin > \"$1\"", tar.toString(), member.toString()),
                    Duration.ofMinutes(10));
            assertTrue(extract.succeeded(), extract.describe());
            assertEquals(expected, sha256(member), "the big member's content");
            Files.delete(member);

            // the same layer back into a new view: the daemon spools it once and reads it in place
            ProcessRun imported = ProcessRun.run(importCommand(tar, mp), LONG);
            assertTrue(imported.succeeded(), imported.describe());
            ProcessRun hashBig = txfs(LONG, "hash", "--mount", mp, "--view", "big");
            ProcessRun hashImported = txfs(LONG, "hash", "--mount", mp, "--view", "imported");
            assertTrue(hashBig.succeeded() && hashImported.succeeded(), hashBig.describe() + hashImported.describe());
            assertEquals(hashBig.stdout(), hashImported.stdout(), "the imported view has the exported tree");
            hwm = status(pid, "VmHWM:");
            assertTrue(hwm < BUDGET, "after the import the daemon's peak resident size was " + (hwm >> 20) + " MiB");
            Files.delete(tar);

            ProcessRun small = txfs(
                    LONG,
                    "run",
                    "--mount",
                    mp,
                    "--view",
                    "small",
                    "--",
                    "/bin/sh",
                    "-c",
                    "echo one > \"$0/one.txt\"",
                    mp);
            assertTrue(small.succeeded(), small.describe());
            anImageLayoutNamesItsLayerByDigestAndCarriesTheDeltaId(root, mp);

            JsonNode stats = json(txfs(Duration.ofMinutes(1), "stats", "--mount", mp, "--json"))
                    .get("memory");
            assertEquals(96L << 20, stats.get("block_cache_capacity").asLong());
            assertEquals(192L << 20, stats.get("heap_max").asLong());
            assertTrue(
                    stats.get("block_cache_usage").asLong()
                            <= stats.get("block_cache_capacity").asLong(),
                    stats.toString());
            assertTrue(stats.get("rss").asLong() > 0 && stats.get("rss").asLong() < BUDGET, stats.toString());
            assertTrue(
                    stats.get("state_bytes").asLong() >= gib << 30,
                    "the pending GiB are in the state directory: " + stats);

            // after the work the heap is handed back (G1's periodic collection): poll, never sleep blindly
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long committed = Long.MAX_VALUE;
            while (System.nanoTime() < deadline) {
                committed = json(txfs(Duration.ofMinutes(1), "stats", "--mount", mp, "--json"))
                        .get("memory")
                        .get("heap_committed")
                        .asLong();
                if (committed <= 64L << 20) {
                    break;
                }
                Thread.sleep(2000);
            }
            assertTrue(committed <= 64L << 20, "the idle daemon still commits " + (committed >> 20) + " MiB of heap");
        } finally {
            sampling.set(false);
            sampler.interrupt();
            ProcessRun unmount = txfs(Duration.ofMinutes(2), "unmount", mnt.toString());
            ProcessHandle.of(pid).ifPresent(h -> {
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception stillThere) {
                    h.destroyForcibly(); // the daemon this test started, and only it
                }
            });
            deleteTree(root);
            assertTrue(unmount.succeeded(), unmount.describe());
        }
        assertTrue(
                sampledPeak.get() > 0 && sampledPeak.get() < BUDGET,
                "sampled VmRSS peaked at " + (sampledPeak.get() >> 20) + " MiB");
    }

    /** {@code txfs import} with the tar on stdin, as a user runs it. */
    private static List<String> importCommand(Path tar, String mp) {
        List<String> c = new ArrayList<>(List.of("/bin/sh", "-c", "\"$@\" < \"$0\"", tar.toString()));
        c.addAll(MountFixture.command("import", "--mount", mp, "imported"));
        return c;
    }

    private static void anImageLayoutNamesItsLayerByDigestAndCarriesTheDeltaId(Path root, String mp) throws Exception {
        Path layout = root.resolve("layout");
        ProcessRun export =
                txfs(LONG, "export", "--mount", mp, "small", "--format", "oci-dir", "-o", layout.toString());
        assertTrue(export.succeeded(), export.describe());
        Path blobs = layout.resolve("blobs/sha256");
        try (Stream<Path> all = Files.list(blobs)) {
            for (Path b : all.toList()) {
                assertEquals(
                        b.getFileName().toString(), sha256(b), "blob " + b.getFileName() + " is named by its digest");
            }
        }
        assertEquals(
                "1.0.0",
                JSON.readTree(Files.readAllBytes(layout.resolve("oci-layout")))
                        .get("imageLayoutVersion")
                        .asText());
        JsonNode index = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
        String manifestDigest = index.get("manifests").get(0).get("digest").asText();
        JsonNode manifest = JSON.readTree(Files.readAllBytes(blobs.resolve(manifestDigest.substring(7))));
        JsonNode layer = manifest.get("layers").get(0);
        String layerDigest = layer.get("digest").asText();
        JsonNode config = JSON.readTree(Files.readAllBytes(
                blobs.resolve(manifest.get("config").get("digest").asText().substring(7))));
        assertEquals(layerDigest, config.get("rootfs").get("diff_ids").get(0).asText());
        assertEquals(
                Files.size(blobs.resolve(layerDigest.substring(7))),
                layer.get("size").asLong());

        JsonNode status = json(txfs(Duration.ofMinutes(2), "status", "--mount", mp, "small", "--canonical", "--json"));
        assertEquals(
                "sha1:" + status.get("delta_id").asText(),
                layer.get("annotations").get("io.txfs.delta-id").asText());

        ProcessRun list = ProcessRun.run(
                List.of("tar", "-tvf", blobs.resolve(layerDigest.substring(7)).toString()), Duration.ofMinutes(1));
        assertTrue(list.succeeded() && list.stdout().contains("one.txt"), list.describe());

        // the image tools themselves take it: skopeo reads the layout, umoci unpacks the view by its ref name
        ProcessRun inspect = ProcessRun.run(List.of("skopeo", "inspect", "oci:" + layout), Duration.ofMinutes(1));
        assertTrue(inspect.succeeded(), inspect.describe());
        assertEquals(
                layerDigest,
                JSON.readTree(inspect.stdout()).get("Layers").get(0).asText(),
                inspect.describe());
        Path bundle = root.resolve("bundle");
        ProcessRun unpack = ProcessRun.run(
                List.of("umoci", "unpack", "--image", layout + ":small", bundle.toString()), Duration.ofMinutes(1));
        assertTrue(unpack.succeeded(), unpack.describe());
        assertTrue(
                Files.isRegularFile(bundle.resolve("rootfs/one.txt")),
                "umoci unpacked the view's file: " + unpack.describe());
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
