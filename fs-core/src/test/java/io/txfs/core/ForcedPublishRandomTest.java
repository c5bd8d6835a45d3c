package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.model.PublishResult;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random pairs of changes (files, directories, renames, hard links) by view A, published first, and
 * view B, forced over it, checked against the contract rather than a table (docs/publish-force.md):
 * names and records agree and a flush writes the published tree; paths nobody changed stay; every
 * change of A's that did not survive is listed as overridden (unless the file it changed lives on with
 * A's content under another name: content follows the file); only paths A changed are listed as
 * overridden, and only paths B changed as kept.
 */
class ForcedPublishRandomTest {
    private static final List<String> DIRS = List.of("", "d", "d/s", "e");
    private static final List<String> NAMES = List.of("a", "b", "s", "d", "e");
    private static final int TRIALS = 200;

    @TempDir
    Path tmp;

    @Test
    void forcedPublishesKeepTheContract() throws Exception {
        long seed = TestSeeds.seed(20261206L);
        System.err.println("ForcedPublishRandomTest seed " + seed + " (rerun with -Dtxfs.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int t = 0; t < TRIALS; t++) trial(t, rnd);
    }

    private void trial(int t, Random rnd) throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("b" + t));
        Files.createDirectories(backing.resolve("d/s"));
        Files.createDirectories(backing.resolve("e"));
        Files.writeString(backing.resolve("a"), "base a");
        Files.writeString(backing.resolve("d/a"), "base d/a");
        Files.writeString(backing.resolve("d/s/b"), "base d/s/b");
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            TestFs a = new TestFs(e, e.createView("a", Isolation.SNAPSHOT, 0));
            TestFs b = new TestFs(e, e.createView("b", Isolation.SNAPSHOT, 0));
            Map<String, String> base = tree(e, e.published());
            List<String> log = new ArrayList<>();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) log.add("A " + randomOp(a, rnd, "A" + i));
            n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) log.add("B " + randomOp(b, rnd, "B" + i));
            Map<String, String> mine = tree(e, b.view);
            e.publish(a.view, false);
            Map<String, String> head = tree(e, e.published());
            PublishResult r;
            try {
                r = e.publish(b.view, true);
            } catch (RuntimeException ex) {
                throw new AssertionError("trial " + t + " " + log, ex);
            }
            Map<String, String> result = tree(e, e.published());
            String what = "trial " + t + " " + log + "\nbase " + base + "\nhead " + head + "\nB    " + mine
                    + "\nresult " + result + "\noverridden " + r.overridden() + " kept " + r.kept();
            assertEquals(List.of(), LinkCheck.errors(e), what);
            check(base, head, mine, result, r, what);
            try {
                e.flush();
            } catch (RuntimeException ex) {
                throw new AssertionError("flush failed: " + what, ex);
            }
            assertEquals(contents(result), contents(tree(e, e.published())), what);
            assertEquals(contents(result), Trees.ofDisk(backing), what);
        }
    }

    private static void check(
            Map<String, String> base,
            Map<String, String> head,
            Map<String, String> mine,
            Map<String, String> result,
            PublishResult r,
            String what) {
        TreeSet<String> all = new TreeSet<>(base.keySet());
        all.addAll(head.keySet());
        all.addAll(mine.keySet());
        all.addAll(result.keySet());
        for (String p : all) {
            boolean byA = !same(base.get(p), head.get(p));
            boolean byB = !same(base.get(p), mine.get(p));
            if (!byA && !byB) assertTrue(same(base.get(p), result.get(p)), "nobody changed " + p + ": " + what);
            if (byA
                    && !same(head.get(p), result.get(p))
                    && !listed(r.overridden(), p)
                    && !livesOn(head.get(p), result)) {
                throw new AssertionError("A's change at " + p + " lost silently: " + what);
            }
        }
        for (String p : r.overridden())
            assertTrue(
                    !same(base.get(p.substring(1)), head.get(p.substring(1))), "A did not change " + p + ": " + what);
        for (String p : r.kept())
            assertTrue(
                    !same(base.get(p.substring(1)), mine.get(p.substring(1))), "B did not change " + p + ": " + what);
    }

    /** Entries "d" (directories are compared by type: one may be recreated) or "f:<ino>:content". */
    private static boolean same(String x, String y) {
        return Objects.equals(x, y);
    }

    private static boolean listed(List<String> paths, String p) {
        for (String q : paths) if (("/" + p).equals(q) || ("/" + p).startsWith(q + "/")) return true;
        return false;
    }

    /** A file A changed whose node lives on, with A's content, under another name. */
    private static boolean livesOn(String headEntry, Map<String, String> result) {
        return headEntry != null && headEntry.startsWith("f:") && result.containsValue(headEntry);
    }

    private static String randomOp(TestFs v, Random rnd, String content) {
        String p = path(rnd);
        String q = path(rnd);
        int op = rnd.nextInt(7);
        String desc = switch (op) {
            case 0, 1 -> "write " + p;
            case 2 -> "rm " + p;
            case 3 -> "mkdir " + p;
            case 4 -> "rmdir " + p;
            case 5 -> "mv " + p + " " + q;
            default -> "link " + p + " " + q;
        };
        try {
            switch (op) {
                case 0, 1 -> v.write(p, content);
                case 2 -> v.rm(p);
                case 3 -> v.mkdir(p);
                case 4 -> v.rmdir(p);
                case 5 -> v.mv(p, q);
                default -> v.engine.link(v.view, v.ino(p), v.parent(q), v.name(q));
            }
        } catch (FsException refused) {
            return desc + " (" + refused.errno() + ")"; // as a shell would: the view is unchanged
        }
        return desc;
    }

    private static String path(Random rnd) {
        String d = DIRS.get(rnd.nextInt(DIRS.size()));
        String n = NAMES.get(rnd.nextInt(NAMES.size()));
        return d.isEmpty() ? n : d + "/" + n;
    }

    private static Map<String, String> tree(Engine e, View v) {
        Map<String, String> out = new TreeMap<>();
        walk(e, v, Engine.ROOT, "", out);
        return out;
    }

    private static void walk(Engine e, View v, long dir, String prefix, Map<String, String> out) {
        for (DirEntry d : e.readdir(v, dir)) {
            String p = prefix.isEmpty() ? d.nameString() : prefix + "/" + d.nameString();
            if (d.type() == FileType.DIRECTORY) {
                out.put(p, "d");
                walk(e, v, d.ino(), p, out);
            } else {
                NodeAttributes at = e.getattr(v, d.ino());
                out.put(
                        p,
                        "f:" + d.ino() + ":"
                                + new String(e.read(v, d.ino(), 0, (int) at.size()), StandardCharsets.UTF_8));
            }
        }
    }

    /** The tree as Trees describes it (no inode numbers), to compare with the backing directory. */
    private static Map<String, String> contents(Map<String, String> t) {
        Map<String, String> out = new TreeMap<>();
        for (var en : t.entrySet()) {
            String v = en.getValue();
            out.put(en.getKey(), v.equals("d") ? "d" : "f:" + v.substring(v.indexOf(':', 2) + 1));
        }
        return out;
    }
}
