package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SIGKILL of the daemon, then {@code txfs mount} on the same state directory: every write that had
 * returned is still in its view, publishes are whole, and the backing directory holds exactly the state
 * before or after an interrupted flush. Each test has its own mount.
 */
final class CrashRecoveryIT {
    private static final int PUBLISHED_FILES = 6;
    private static final Duration WORKLOAD_DEADLINE = Duration.ofSeconds(90);

    private static void seedPublished(Path backing) {
        try {
            Path pub = Files.createDirectory(backing.resolve("pub"));
            for (int i = 0; i < PUBLISHED_FILES; i++) {
                Files.writeString(pub.resolve("g" + i), payload(0, "g" + i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same content view_agent.py's generation_payload writes. */
    private static String payload(int g, String name) {
        return String.format("gen=%08d path=%s\n", g, name).repeat(1 + (g % 7) * 40);
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Complete lines only: the writer may have been stopped halfway through its journal line. */
    private static List<String> journal(Path p) {
        try {
            if (!Files.exists(p)) {
                return List.of();
            }
            String text = Files.readString(p);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void sigkillDuringAWriteHeavyWorkloadLosesNothingThatHadReturned() {
        try (MountFixture m = MountFixture.views().seeded(CrashRecoveryIT::seedPublished)) {
            m.start();
            Map<String, String> backingBefore = snapshot(m.backing());
            Path writes = m.scratch().resolve("writes.journal");
            Path publishes = m.scratch().resolve("publishes.journal");
            List<String> pubPaths = new ArrayList<>();
            for (int i = 0; i < PUBLISHED_FILES; i++) {
                pubPaths.add(m.mnt("pub/g" + i));
            }
            ViewAgent writer = m.agent("crash-writer", ViewAgent.Way.NAMESPACE);
            ViewAgent publisher = m.agent("crash-publisher", ViewAgent.Way.SHARED_ROOT);
            writer.call("mkdir", "path", m.mnt("work"));
            writer.submit(
                    "crash_write",
                    "dir",
                    m.mnt("work"),
                    "journal",
                    writes.toString(),
                    "count",
                    1_000_000,
                    "size",
                    16384);
            publisher.submit(
                    "gen_write",
                    "paths",
                    pubPaths,
                    "mount",
                    m.mountpoint().toString(),
                    "first",
                    1,
                    "last",
                    1_000_000,
                    "journal",
                    publishes.toString());
            boolean busy = MountFixture.await(
                    WORKLOAD_DEADLINE,
                    () -> journal(writes).size() >= 60 && journal(publishes).size() >= 3);
            assertTrue(
                    busy,
                    "the workload got going: " + journal(writes).size() + " writes, "
                            + journal(publishes).size() + " publishes\n" + m.daemonLogTail(30));
            m.stopDaemon(true);
            JsonNode wrote = writer.awaitReply(Duration.ofSeconds(60));
            JsonNode published = publisher.awaitReply(Duration.ofSeconds(60));
            writer.close();
            publisher.close();
            List<String> returned = journal(writes);
            List<String> publishedGens = journal(publishes);
            int lastPublished =
                    Integer.parseInt(publishedGens.get(publishedGens.size() - 1).trim());
            System.out.println("crash during writes: " + returned.size() + " writes and " + publishedGens.size()
                    + " publishes had returned; writer " + wrote + ", publisher " + published.path("errno"));

            m.restart();
            ProcessRun views = m.txfs("views", "--mount", m.mountpoint().toString(), "--json");
            assertTrue(
                    views.succeeded()
                            && views.stdout().contains("crash-writer")
                            && views.stdout().contains("crash-publisher"),
                    "both views survive the restart\n" + views.describe());

            try (ViewAgent again = m.agent("crash-writer", ViewAgent.Way.NAMESPACE)) {
                List<String> paths = new ArrayList<>();
                for (String line : returned) {
                    paths.add(m.mnt("work/" + line.split(" ")[0]));
                }
                JsonNode found = again.call("sha", "paths", paths);
                List<String> lost = new ArrayList<>();
                for (String line : returned) {
                    String[] f = line.split(" ");
                    String expected = f[1] + " " + f[2];
                    String actual = found.path(f[0]).asText("(missing)");
                    if (!expected.equals(actual)) {
                        lost.add("work/" + f[0] + ": expected " + expected + ", found " + actual);
                    }
                }
                assertTrue(
                        lost.isEmpty(),
                        lost.size() + " of " + returned.size()
                                + " writes that had returned are not in view crash-writer after the restart, e.g. "
                                + lost.subList(0, Math.min(5, lost.size())) + "\n" + m.daemonLogTail(40));
            }

            try (ViewAgent check = m.agent("crash-check", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
                TreeSet<Integer> gens = new TreeSet<>();
                for (int i = 0; i < PUBLISHED_FILES; i++) {
                    String content = check.read("pub/g" + i);
                    int g = Integer.parseInt(content.substring(4, 12));
                    assertEquals(payload(g, "g" + i), content, "pub/g" + i + " holds one whole generation");
                    gens.add(g);
                }
                assertEquals(
                        1,
                        gens.size(),
                        "after the restart all published files hold one generation (whole publishes): " + gens);
                int g = gens.first();
                assertTrue(
                        g >= lastPublished && g <= lastPublished + 1,
                        "the published generation after the restart is " + g
                                + "; the last publish that had returned was " + lastPublished);

                assertEquals(backingBefore, snapshot(m.backing()), "no flush ran: the backing directory is untouched");
                ProcessRun flush = m.txfs("flush", "--mount", m.mountpoint().toString());
                assertTrue(flush.succeeded(), "flush after the restart\n" + flush.describe());
                for (int i = 0; i < PUBLISHED_FILES; i++) {
                    assertEquals(payload(g, "g" + i), read(m.backing().resolve("pub/g" + i)), "flushed pub/g" + i);
                }
            }
        }
    }

    /** Where the flush is when the daemon is killed. */
    enum FlushPhase {
        /** new objects are being staged in BACKING/.txfs.flush */
        STAGING,
        /** the new names are appearing in the backing directory */
        APPLYING
    }

    @ParameterizedTest
    @EnumSource(FlushPhase.class)
    void sigkillDuringAFlushLeavesTheBackingDirectoryWholeBeforeOrAfter(FlushPhase phase) throws Exception {
        int oldFiles = 40;
        try (MountFixture m = MountFixture.views().seeded(backing -> {
            try {
                Path old = Files.createDirectory(backing.resolve("old"));
                for (int i = 0; i < oldFiles; i++) {
                    Files.writeString(old.resolve(String.format("o%02d", i)), ("old " + i + "\n").repeat(100));
                }
                Files.writeString(backing.resolve("keep.txt"), "kept\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            m.start();
            Path created = m.scratch().resolve("created.journal");
            try (ViewAgent big = m.agent("flush-big", ViewAgent.Way.NAMESPACE)) {
                big.call("mkdir", "path", m.mnt("new"));
                JsonNode wrote = big.call(
                        "crash_write",
                        "dir",
                        m.mnt("new"),
                        "journal",
                        created.toString(),
                        "count",
                        200,
                        "size",
                        64 * 1024);
                assertEquals(200, wrote.get("written").asInt(), "the view wrote its new files: " + wrote);
                for (int i = 0; i < oldFiles; i++) {
                    String name = String.format("old/o%02d", i);
                    if (i < oldFiles / 2) {
                        big.write(name, "changed " + i + "\n");
                    } else {
                        big.call("unlink", "path", m.mnt(name));
                    }
                }
            }
            ProcessRun publish = m.txfs("publish", "--mount", m.mountpoint().toString(), "flush-big");
            assertTrue(publish.succeeded(), publish.describe());

            Map<String, String> before = snapshot(m.backing());
            Map<String, String> after = new TreeMap<>(before);
            for (int i = 0; i < oldFiles; i++) {
                String name = String.format("old/o%02d", i);
                if (i < oldFiles / 2) {
                    after.put(name, describe(("changed " + i + "\n").getBytes(StandardCharsets.UTF_8)));
                } else {
                    after.remove(name);
                }
            }
            after.put("new", "dir");
            for (String line : journal(created)) {
                String[] f = line.split(" ");
                after.put("new/" + f[0], "file " + f[1] + " " + f[2]);
            }

            Process flush = new ProcessBuilder(MountFixture.command(
                            "flush", "--mount", m.mountpoint().toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(m.scratch().resolve("flush.out").toFile())
                    .start();
            Path staging = m.backing().resolve(".txfs.flush");
            boolean reached = MountFixture.await(
                    Duration.ofSeconds(60),
                    () -> !flush.isAlive()
                            || (phase == FlushPhase.STAGING
                                    ? nonEmpty(staging)
                                    : Files.exists(m.backing().resolve("new"))));
            boolean finishedBeforeKill = !flush.isAlive();
            m.stopDaemon(true);
            assertTrue(reached, "the flush reached " + phase + " within 60 s");
            assertTrue(flush.waitFor(60, TimeUnit.SECONDS), "the flush command returned after the kill");
            System.out.println("crash during flush (" + phase + "): the flush had "
                    + (finishedBeforeKill
                            ? "already finished (status " + flush.exitValue() + ")"
                            : "not finished; it returned " + flush.exitValue())
                    + " when the daemon was killed");

            m.restart();
            Map<String, String> recovered = snapshot(m.backing());
            if (!recovered.equals(before) && !recovered.equals(after)) {
                fail(
                        "after the restart the backing directory is neither the state before the flush nor the state after it"
                                + "\n  vs before: " + difference(before, recovered) + "\n  vs after: "
                                + difference(after, recovered)
                                + "\n" + m.daemonLogTail(40));
            }
            assertFalse(
                    Files.exists(staging, LinkOption.NOFOLLOW_LINKS),
                    "no staging area is left in the backing directory");
            if (finishedBeforeKill && flush.exitValue() == 0) {
                assertEquals(after, recovered, "a flush that had returned survives the SIGKILL");
            }

            try (ViewAgent reader = m.agent("flush-reader", ViewAgent.Way.SHARED_ROOT, "read-committed")) {
                List<String> paths = new ArrayList<>();
                for (String line : journal(created)) {
                    paths.add(m.mnt("new/" + line.split(" ")[0]));
                }
                JsonNode found = reader.call("sha", "paths", paths);
                for (String line : journal(created)) {
                    String[] f = line.split(" ");
                    assertEquals(
                            f[1] + " " + f[2],
                            found.path(f[0]).asText("(missing)"),
                            "published new/" + f[0] + " after the restart");
                }
                assertEquals("changed 0\n", reader.read("old/o00"), "a published change after the restart");
                assertFalse(
                        reader.exists(String.format("old/o%02d", oldFiles - 1)),
                        "a published delete after the restart");
            }
            ProcessRun again = m.txfs("flush", "--mount", m.mountpoint().toString());
            assertTrue(again.succeeded(), "flush after the restart\n" + again.describe());
            assertEquals(
                    after,
                    snapshot(m.backing()),
                    "after a flush following the restart the backing directory holds the published state");
        }
    }

    private static boolean nonEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** Every path under dir (relative) with its kind and, for files, size and SHA-256. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (p.equals(dir)) {
                    continue;
                }
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir");
                } else {
                    out.put(rel, describe(Files.readAllBytes(p)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String describe(byte[] data) {
        try {
            return "file " + data.length + " "
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static String difference(Map<String, String> expected, Map<String, String> actual) {
        List<String> d = new ArrayList<>();
        for (var e : expected.entrySet()) {
            String a = actual.get(e.getKey());
            if (a == null) {
                d.add("missing " + e.getKey());
            } else if (!a.equals(e.getValue())) {
                d.add("changed " + e.getKey());
            }
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k)) {
                d.add("extra " + k);
            }
        }
        return d.size() + " differences, e.g. " + d.subList(0, Math.min(8, d.size()));
    }
}
