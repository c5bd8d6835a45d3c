package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several views change the same few names at random, each through real processes, and after every
 * step every view is compared with what it alone should see: names, types, contents and symlink
 * targets of its whole tree. Two views enter through the shared root (`txfs run --namespace never`) and
 * one through its own root in a mount namespace. The model of a view is a reference directory on the
 * local filesystem to which the same operations are applied by a plain process (so the expected result
 * of each operation, errno included, is the local filesystem's); its tree is read into memory and
 * compared with the view's. A name the kernel hands one view for another (a cached entry, attribute or
 * listing) shows as a difference in the other view at the next step.
 *
 * <p>Bounded to {@value #DEFAULT_SECONDS} s in the suite; {@code -Dtxfs.differential.seconds=N} or
 * {@code TXFS_DIFFERENTIAL_SECONDS=N} runs it longer (scripts/differential-views.sh), and
 * {@code txfs.differential.seed} replays a seed (printed at the start and in every failure).
 */
final class ViewDifferentialIT {
    static final int DEFAULT_SECONDS = 60;
    private static final List<String> TOP = List.of("a", "b", "c", "d");
    private static final List<String> BELOW = List.of("x", "y");

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.views().seeded(ViewDifferentialIT::seed);

    private static void seed(Path dir) {
        try {
            Files.createDirectories(dir.resolve("a/x"));
            Files.writeString(dir.resolve("a/x/y"), "published a/x/y\n");
            Files.writeString(dir.resolve("a/y"), "published a/y\n");
            Files.createDirectories(dir.resolve("b/y"));
            Files.writeString(dir.resolve("c"), "published c\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A view, its way in, and its reference: the agent in the view and the plain agent on the reference directory. */
    private record Subject(String name, ViewAgent view, ViewAgent reference, Path referenceDir) {
        String viewPath(String rel) {
            return MOUNT.mnt(rel);
        }

        String referencePath(String rel) {
            return referenceDir.resolve(rel).toString();
        }
    }

    /** One operation, with paths relative to the view's root. */
    private record Op(String op, List<Object> args) {
        @Override
        public String toString() {
            return op + " " + args;
        }
    }

    private static long seconds() {
        String p = System.getProperty("txfs.differential.seconds");
        String e = System.getenv("TXFS_DIFFERENTIAL_SECONDS");
        return Long.parseLong(
                p != null && !p.isBlank() ? p : e != null && !e.isBlank() ? e : String.valueOf(DEFAULT_SECONDS));
    }

    private static long seedValue() {
        String p = System.getProperty("txfs.differential.seed");
        return p != null && !p.isBlank() ? Long.parseLong(p) : System.nanoTime();
    }

    private static String randomPath(Random r, boolean preferTop) {
        StringBuilder b = new StringBuilder(TOP.get(r.nextInt(TOP.size())));
        if (preferTop && r.nextInt(10) < 6) {
            return b.toString();
        }
        int depth = r.nextInt(3);
        for (int i = 0; i < depth; i++) {
            b.append('/').append(BELOW.get(r.nextInt(BELOW.size())));
        }
        return b.toString();
    }

    /** A random operation; renames, links and exchanges often end (or start) at a top-level name. */
    private static Op randomOp(Random r, int step) {
        int k = r.nextInt(20);
        String p = randomPath(r, false);
        if (k < 5) {
            return new Op("write", List.of(p, "step " + step + " " + "z".repeat(r.nextInt(20)) + "\n"));
        }
        if (k < 8) {
            return new Op("mkdir", List.of(p));
        }
        if (k < 9) {
            return new Op("unlink", List.of(p));
        }
        if (k < 10) {
            return new Op("rmdir", List.of(p));
        }
        if (k < 15) {
            return r.nextBoolean()
                    ? new Op("rename", List.of(p, randomPath(r, true)))
                    : new Op("rename", List.of(randomPath(r, true), p));
        }
        if (k < 16) {
            return new Op("link", List.of(p, randomPath(r, true)));
        }
        if (k < 17) {
            return new Op("symlink", List.of("target-" + step, randomPath(r, true)));
        }
        if (k < 18) {
            return new Op("exchange", List.of(p, randomPath(r, true)));
        }
        if (k < 19) {
            return new Op("mkfifo", List.of(randomPath(r, true)));
        }
        return new Op("describe", List.of(p));
    }

    /** Sends the operation with paths rebased by {@code at}; returns "ok" or the errno name. */
    private static String apply(ViewAgent a, Op op, UnaryOperator<String> at) {
        List<Object> x = op.args();
        JsonNode reply = switch (op.op()) {
            case "write" -> a.raw("write", "path", at.apply((String) x.get(0)), "data", x.get(1), "nonblock", true);
            case "mkdir", "unlink", "rmdir", "mkfifo" -> a.raw(op.op(), "path", at.apply((String) x.get(0)));
            case "rename" -> a.raw("rename", "path", at.apply((String) x.get(0)), "to", at.apply((String) x.get(1)));
            case "link", "exchange" ->
                a.raw(op.op(), "src", at.apply((String) x.get(0)), "dst", at.apply((String) x.get(1)));
            case "symlink" -> a.raw("symlink", "target", x.get(0), "path", at.apply((String) x.get(1)));
            case "describe" -> {
                JsonNode d = a.call("describe", "paths", List.of(at.apply((String) x.get(0))));
                yield ViewAgent.JSON
                        .createObjectNode()
                        .put("ok", true)
                        .put("result", d.elements().next().asText());
            }
            default -> throw new IllegalArgumentException(op.op());
        };
        if (!reply.path("ok").asBoolean()) {
            return reply.path("errno").asText();
        }
        return op.op().equals("describe") ? reply.path("result").asText() : "ok";
    }

    /** Every path the operations use (top-level names and two levels below), relative to the root. */
    private static final List<String> UNIVERSE = universe();

    private static List<String> universe() {
        List<String> out = new ArrayList<>();
        for (String t : TOP) {
            out.add(t);
            for (String x : BELOW) {
                out.add(t + "/" + x);
                for (String y : BELOW) {
                    out.add(t + "/" + x + "/" + y);
                }
            }
        }
        return out;
    }

    /**
     * What each path of the universe is, looked up by path without listing any directory first: a
     * listing of the shared root (READDIRPLUS) would itself replace a wrong cached entry with the
     * listing view's own, and hide what a plain path walk gets.
     */
    private static Map<String, String> probe(ViewAgent a, String root) {
        List<String> paths = UNIVERSE.stream().map(p -> root + "/" + p).toList();
        JsonNode d = a.call("describe", "paths", paths);
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < paths.size(); i++) {
            m.put(UNIVERSE.get(i), d.path(paths.get(i)).asText());
        }
        return m;
    }

    /** The whole tree, by listing every directory and describing every name in it. */
    private static Map<String, String> tree(ViewAgent a, String root) {
        Map<String, String> m = new TreeMap<>();
        a.call("snapshot", "path", root)
                .fields()
                .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static String difference(Map<String, String> expected, Map<String, String> actual) {
        StringBuilder b = new StringBuilder();
        for (String k : new TreeSet<>(union(expected, actual))) {
            String e = expected.get(k);
            String g = actual.get(k);
            if (e == null ? g != null : !e.equals(g)) {
                b.append("  ")
                        .append(k)
                        .append(": expected ")
                        .append(e == null ? "(absent)" : e.strip())
                        .append(", the view has ")
                        .append(g == null ? "(absent)" : g.strip())
                        .append('\n');
            }
        }
        return b.toString();
    }

    private static TreeSet<String> union(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> s = new TreeSet<>(a.keySet());
        s.addAll(b.keySet());
        return s;
    }

    private static void check(
            long seed,
            int step,
            Subject v,
            String how,
            Map<String, String> expected,
            Map<String, String> actual,
            Subject actor,
            Op op,
            Deque<String> history) {
        String diff = difference(expected, actual);
        if (!diff.isEmpty()) {
            fail("seed " + seed + ", step " + step + ": view " + v.name() + " ("
                    + v.view().way() + "), " + how
                    + ", differs from its model after " + actor.name() + " " + op + ":\n" + diff + "history:\n"
                    + String.join("\n", history));
        }
    }

    @Test
    void everyViewSeesExactlyItsOwnChanges() throws IOException {
        long seed = seedValue();
        long seconds = seconds();
        System.err.println("ViewDifferentialIT: seed " + seed + ", " + seconds
                + " s (replay with -Dtxfs.differential.seed=" + seed + ")");
        Random r = new Random(seed);
        List<Subject> subjects = new ArrayList<>();
        String[][] ways = {{"root-1", "SHARED_ROOT"}, {"root-2", "SHARED_ROOT"}, {"ns-3", "NAMESPACE"}};
        for (String[] w : ways) {
            Path ref = Files.createDirectory(MOUNT.scratch().resolve("reference-" + w[0]));
            seed(ref);
            subjects.add(new Subject(
                    w[0],
                    MOUNT.agent("diff-" + w[0], ViewAgent.Way.valueOf(w[1])),
                    MOUNT.plainAgent("reference-" + w[0]),
                    ref));
        }
        List<Map<String, String>> expected = new ArrayList<>();
        List<Map<String, String>> expectedProbe = new ArrayList<>();
        for (Subject s : subjects) {
            expected.add(tree(s.reference(), s.referenceDir().toString()));
            expectedProbe.add(probe(s.reference(), s.referenceDir().toString()));
        }
        Deque<String> history = new ArrayDeque<>();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int steps = 0;
        int renamesIntoTop = 0;
        while (System.nanoTime() < deadline) {
            steps++;
            int who = r.nextInt(subjects.size());
            Subject s = subjects.get(who);
            Op op = randomOp(r, steps);
            String got = apply(s.view(), op, s::viewPath);
            String want = apply(s.reference(), op, s::referencePath);
            history.addLast("step " + steps + ": " + s.name() + " " + op + " -> " + got.strip());
            if (history.size() > 40) {
                history.removeFirst();
            }
            if (op.op().equals("rename")
                    && got.equals("ok")
                    && !((String) op.args().get(1)).contains("/")) {
                renamesIntoTop++;
            }
            if (!got.equals(want)) {
                fail("seed " + seed + ", step " + steps + ": " + s.name() + " " + op + " gave " + got.strip()
                        + " in the view, " + want.strip() + " on the local filesystem\n" + String.join("\n", history));
            }
            expected.set(who, tree(s.reference(), s.referenceDir().toString()));
            expectedProbe.set(who, probe(s.reference(), s.referenceDir().toString()));
            // first every view walks the paths (what a process that knows the names does), then lists
            for (int i = 0; i < subjects.size(); i++) {
                Subject v = subjects.get(i);
                check(
                        seed,
                        steps,
                        v,
                        "walked by path",
                        expectedProbe.get(i),
                        probe(v.view(), MOUNT.mountpoint().toString()),
                        s,
                        op,
                        history);
            }
            for (int i = 0; i < subjects.size(); i++) {
                Subject v = subjects.get(i);
                check(
                        seed,
                        steps,
                        v,
                        "listed",
                        expected.get(i),
                        tree(v.view(), MOUNT.mountpoint().toString()),
                        s,
                        op,
                        history);
            }
        }
        System.err.println("ViewDifferentialIT: " + steps + " steps, " + renamesIntoTop
                + " renames to a top-level name, no difference");
        assertTrue(steps >= 50, "the differential test made only " + steps + " steps in " + seconds + " s");
        assertTrue(renamesIntoTop > 0, "no rename to a top-level name succeeded in " + steps + " steps");
    }
}
