package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.txfs.core.inspect.Name;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Is a command reproducible, and if not, why (docs/reproducibility.md, "txfs repro")? Runs it several
 * times, each in a fresh view on the same published state, the first as it is and the others with what
 * is asked varied (listing order, umask, TZ, locale, hostname, an environment variable); compares the
 * (normalized) delta ids; where they differ, says for each path how. A library call for build tools
 * ({@link #run}); {@code txfs repro} prints its report.
 */
public final class Repro {
    /** What may be varied between runs. */
    public enum Variation {
        READDIR,
        UMASK,
        TZ,
        LOCALE,
        HOSTNAME,
        ENV
    }

    /**
     * @param runs at least 2
     * @param vary what the runs after the first vary
     * @param envNames the variables {@link Variation#ENV} sets
     * @param rules a normalize rules file, or null
     * @param keep keep the views (for txfs diff), else they are removed
     */
    public record Options(
            int runs, List<Variation> vary, List<String> envNames, Path rules, boolean keep, boolean sha256) {}

    /** A path whose entry differs between the first run and another. */
    public record Difference(int run, String path, String detail) {}

    /** Reproducible when every run exited 0 and every delta id is equal. */
    public record Report(
            boolean reproducible,
            List<String> views,
            List<Integer> exitCodes,
            List<String> deltaIds,
            String normalizedBy,
            List<Difference> differences) {}

    private static final int DIFF_LINES = 12;
    /**
     * Contents are read for this many differing files per compared run: each read is a process in each
     * view, so a build whose every output differs is explained in seconds, not once per output.
     */
    static final int CONTENT_DIFFS = 20;

    private static final long TEXT_LIMIT = 1 << 20;

    private Repro() {}

    /** Runs {@code command} as {@code options} say, from this process's working directory; {@code log} tells each run. */
    public static Report run(Path mount, Options options, List<String> command, PrintWriter log) {
        if (options.runs() < 2) throw new UserFacingException("--runs needs at least 2");
        Path ctl = MountLocator.controlFile(mount);
        String tag = "repro-" + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        List<String> views = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        try {
            for (int i = 0; i < options.runs(); i++) {
                String view = tag + "-" + i;
                views.add(view);
                RunVariant variant = RunVariant.of(i, options);
                log.println("txfs: run " + (i + 1) + "/" + options.runs() + " in view " + view + variant.describe());
                log.flush();
                exits.add(variant.run(mount, view, command));
            }
            return compare(mount, ctl, options, views, exits);
        } finally {
            if (!options.keep()) {
                for (String v : views) {
                    try {
                        ControlCall.send(ctl, "abort view=" + v);
                    } catch (RuntimeException gone) {
                        // never made (the run failed to begin), or removed by the command itself
                    }
                }
            }
        }
    }

    private static Report compare(Path mount, Path ctl, Options o, List<String> views, List<Integer> exits) {
        List<String> ids = new ArrayList<>();
        List<Map<String, JsonNode>> deltas = new ArrayList<>();
        String normalizedBy = null;
        long base = -1;
        String normalize = o.rules() == null ? "" : NormalizeOption.argumentFor(o.rules());
        for (String v : views) {
            JsonNode s = ControlCall.send(
                    ctl, "status view=" + v + " canonical" + (o.sha256() ? " objects=sha256" : "") + normalize);
            if (base >= 0 && s.path("snapshot_version").asLong() != base) {
                throw new UserFacingException("the published state moved between the runs (version " + base + ", then "
                        + s.path("snapshot_version").asLong() + "): the runs did not start from one state; run again");
            }
            base = s.path("snapshot_version").asLong();
            ids.add(s.path("delta_id").asText());
            if (s.hasNonNull("normalized_by"))
                normalizedBy = s.get("normalized_by").asText();
            Map<String, JsonNode> byPath = new LinkedHashMap<>();
            for (JsonNode e : s.path("canonical")) byPath.put(e.path("path").asText(), e);
            deltas.add(byPath);
        }
        List<Difference> diffs = new ArrayList<>();
        for (int i = 1; i < views.size(); i++) {
            if (ids.get(i).equals(ids.get(0))) continue;
            TreeSet<String> paths = new TreeSet<>(deltas.get(0).keySet());
            paths.addAll(deltas.get(i).keySet());
            List<String> differing = new ArrayList<>();
            for (String p : paths) {
                JsonNode a = deltas.get(0).get(p), b = deltas.get(i).get(p);
                if (a == null || !a.equals(b)) differing.add(p);
            }
            List<String> toRead = new ArrayList<>();
            for (String p : differing.subList(0, Math.min(CONTENT_DIFFS, differing.size()))) {
                JsonNode a = deltas.get(0).get(p), b = deltas.get(i).get(p);
                if (a != null && b != null && contentsDiffer(a, b)) toRead.add(p);
            }
            Map<String, byte[]> first = readInView(mount, views.get(0), toRead);
            Map<String, byte[]> other = readInView(mount, views.get(i), toRead);
            for (String p : differing) {
                JsonNode a = deltas.get(0).get(p), b = deltas.get(i).get(p);
                diffs.add(new Difference(i, p, explain(p, a, b, first.get(p), other.get(p))));
            }
        }
        boolean allExited = exits.stream().allMatch(x -> x == 0);
        boolean sameIds = ids.stream().distinct().count() == 1;
        return new Report(allExited && sameIds, views, exits, ids, normalizedBy, diffs);
    }

    /** How the entry at {@code path} differs: present in one run only, metadata, a short text diff, or the first differing byte. */
    private static boolean contentsDiffer(JsonNode a, JsonNode b) {
        return !a.path("content").equals(b.path("content"))
                && a.path("type").asText().equals("file");
    }

    /** {@code x} and {@code y}: the contents read of the path in the two views, or null when not read. */
    private static String explain(String path, JsonNode a, JsonNode b, byte[] x, byte[] y) {
        if (a == null)
            return "only in this run: " + b.path("change").asText() + " "
                    + b.path("type").asText();
        if (b == null)
            return "only in the first run: " + a.path("change").asText() + " "
                    + a.path("type").asText();
        List<String> fields = new ArrayList<>();
        a.fieldNames().forEachRemaining(f -> {
            if (!f.equals("content") && !a.path(f).equals(b.path(f))) {
                fields.add(f + " " + a.path(f).asText() + " -> " + b.path(f).asText());
            }
        });
        if (contentsDiffer(a, b)) {
            fields.add(
                    x != null && y != null
                            ? contentDifference(path, x, y)
                            : "content differs (shown for the first " + CONTENT_DIFFS
                                    + " files; --keep and txfs diff)");
        } else if (!a.path("content").equals(b.path("content"))) {
            fields.add("target " + a.path("target").asText() + " -> "
                    + b.path("target").asText());
        }
        return String.join("; ", fields);
    }

    /**
     * The first {@code TEXT_LIMIT + 1} bytes of each of {@code paths} in {@code view}, read by one process in
     * the view ({@code txfs run --view V -- sh}, each file base64 on a line of its own; a path that is not a
     * readable file is left out): a view's root is its own processes' only (docs/security.md), and one
     * process per view, not per file, keeps a build with many differing outputs from starting a JVM for each.
     */
    private static Map<String, byte[]> readInView(Path mount, String view, List<String> paths) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (paths.isEmpty()) return out;
        List<String> argv = new ArrayList<>(
                SelfCommand.argv("run", "--mount", mount.toString(), "--view", view, "--namespace", "never", "--"));
        argv.addAll(List.of(
                "/bin/sh",
                "-c",
                "n=$1; shift; for f; do if [ -f \"$f\" ] && [ -r \"$f\" ]; then head -c \"$n\" \"$f\" | base64 -w0;"
                        + " echo; else echo -; fi; done",
                "txfs-repro",
                Long.toString(TEXT_LIMIT + 1)));
        for (String p : paths) argv.add(mount.resolve(p).toString());
        try {
            Process proc = new ProcessBuilder(argv)
                    .directory(Path.of("/").toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            List<String> lines = new String(
                            proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                    .lines()
                    .toList();
            if (proc.waitFor() != 0) return out;
            for (int k = 0; k < Math.min(lines.size(), paths.size()); k++) {
                if (!lines.get(k).equals("-"))
                    out.put(paths.get(k), java.util.Base64.getDecoder().decode(lines.get(k)));
            }
        } catch (IOException | IllegalArgumentException e) {
            return out; // left unread: said "content differs"
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static String contentDifference(String path, byte[] x, byte[] y) {
        String tx = x.length > TEXT_LIMIT ? null : text(x), ty = y.length > TEXT_LIMIT ? null : text(y);
        if (tx != null && ty != null) {
            List<String> la = tx.lines().toList(), lb = ty.lines().toList();
            List<String> u =
                    UnifiedDiffUtils.generateUnifiedDiff("a/" + path, "b/" + path, la, DiffUtils.diff(la, lb), 1);
            List<String> shown = u.subList(2, Math.min(u.size(), 2 + DIFF_LINES));
            return "content:\n    " + String.join("\n    ", shown) + (u.size() > 2 + DIFF_LINES ? "\n    ..." : "");
        }
        int n = Math.min(x.length, y.length), at = 0;
        while (at < n && x[at] == y[at]) at++;
        return "content: binary, first difference at byte " + at + (at >= TEXT_LIMIT ? " or later" : "");
    }

    /** The file as text: UTF-8 without NUL bytes; else null. */
    private static String text(byte[] b) {
        for (byte x : b) if (x == 0) return null;
        return Name.Bytes.utf8OrNull(b);
    }
}
