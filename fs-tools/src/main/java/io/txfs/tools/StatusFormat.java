package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.core.model.QuotedPath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Renders the daemon's JSON replies as text for people. */
final class StatusFormat {
    private StatusFormat() {}

    /** {@code git status --short} style: one letter and the (quoted) path, then the counts. */
    static String status(JsonNode r) {
        StringBuilder b = new StringBuilder(statusPorcelain(r));
        b.append("# view ")
                .append(r.path("view").asText("?"))
                .append(": ")
                .append(r.path("changed_paths").asLong())
                .append(" paths, ")
                .append(r.path("changed_bytes").asLong())
                .append(" bytes pending")
                .append(" (snapshot ")
                .append(r.path("snapshot_version").asLong())
                .append(", published ")
                .append(r.path("published_version").asLong())
                .append(")\n");
        if (r.hasNonNull("delta_id")) {
            b.append("# delta id ")
                    .append(r.path("delta_id").asText())
                    .append(NormalizeOption.suffix(r))
                    .append(" (")
                    .append(r.path("objects").asText())
                    .append(")\n");
        }
        String backing = r.path("backing").asText("ok");
        if (!backing.equals("ok")) {
            b.append("# backing directory: ").append(backing).append('\n');
        }
        JsonNode g = r.path("group_commit");
        if (!g.isMissingNode()) {
            backgroundLine(
                    b,
                    g,
                    "group commit: " + g.path("operations").asLong() + " operations in "
                            + g.path("groups").asLong() + " versions, "
                            + g.path("waiting").asLong() + " waiting",
                    "NOT PUBLISHED (kept, retried)");
        }
        JsonNode a = r.path("auto_flush");
        if (!a.isMissingNode()) {
            backgroundLine(
                    b,
                    a,
                    "auto-flush every " + a.path("every_ms").asLong() + " ms: "
                            + a.path("flushes").asLong() + " flushes, "
                            + a.path("failures").asLong() + " failed",
                    "LAST FAILED (state kept, retried)");
        }
        return b.toString();
    }

    /**
     * {@code txfs status --porcelain}: only the entries, {@code X  PATH} per line as git's porcelain v1 (X the
     * letter, two spaces, the path quoted as git's core.quotePath). A stable format: docs/cli.md.
     */
    static String statusPorcelain(JsonNode r) {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : r.path("entries")) {
            b.append(kindLetter(e.path("kind").asText()))
                    .append("  ")
                    .append(Output.quotedPath(e))
                    .append('\n');
        }
        return b.toString();
    }

    /** {@code txfs status -z}: {@code X  PATH} per entry, the path's exact bytes, each record ended by NUL. */
    static byte[] statusZ(JsonNode r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (JsonNode e : r.path("entries")) {
            b.writeBytes((kindLetter(e.path("kind").asText()) + "  ").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(Output.pathBytes(e));
            b.write(0);
        }
        return b.toByteArray();
    }

    /** Paths one per record: quoted and ended by a newline, or ({@code nul}) exact bytes ended by NUL. */
    static byte[] pathList(List<byte[]> paths, boolean nul) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : paths) {
            b.writeBytes(nul ? p : QuotedPath.quote(p).getBytes(StandardCharsets.US_ASCII));
            b.write(nul ? 0 : '\n');
        }
        return b.toByteArray();
    }

    /** One line of background work in {@code txfs status}, with its last failure if it has one. */
    private static void backgroundLine(StringBuilder b, JsonNode n, String counters, String failed) {
        b.append("# ").append(counters);
        if (n.has("last_error")) {
            b.append("; ")
                    .append(failed)
                    .append(": ")
                    .append(n.path("last_error").asText());
        }
        b.append('\n');
    }

    /** {@code txfs rescan}: what was taken in from the backing directory, one path per line (A, M, D; ! overridden). */
    static String rescan(JsonNode r) {
        StringBuilder b = new StringBuilder();
        for (JsonNode p : r.path("added")) b.append("A  ").append(quoted(p)).append('\n');
        for (JsonNode p : r.path("changed")) b.append("M  ").append(quoted(p)).append('\n');
        for (JsonNode p : r.path("removed")) b.append("D  ").append(quoted(p)).append('\n');
        for (JsonNode p : r.path("overridden"))
            b.append("!  ").append(quoted(p)).append("  (a published change not yet flushed was overridden)\n");
        b.append("# ").append(r.path("directories_checked").asLong()).append(" directories checked; ");
        if (r.path("took_in").asBoolean()) {
            b.append("changes made outside txfs taken in as published version ")
                    .append(r.path("outside_version").asLong());
        } else {
            b.append("the backing directory holds what txfs recorded");
        }
        return b.append('\n').toString();
    }

    /** A path given as a JSON string, quoted for a line of text. */
    static String quoted(JsonNode path) {
        return QuotedPath.quote(path.asText());
    }

    /** {@code txfs gc}: the state directory before and after, what went, how long it took. */
    static String gc(JsonNode r) {
        long before = r.path("bytes_before").asLong();
        long after = r.path("bytes_after").asLong();
        return String.format(
                "state: %d bytes before, %d bytes after (%d reclaimed) in %d ms%n"
                        + "# deleted: %d node versions, %d entry versions, %d chunks, %d preserved copies%n",
                before,
                after,
                Math.max(0, before - after),
                r.path("millis").asLong(),
                r.path("node_versions").asLong(),
                r.path("entry_versions").asLong(),
                r.path("chunks").asLong(),
                r.path("preserved_copies").asLong());
    }

    static String kindLetter(String kind) {
        return switch (kind) {
            case "added" -> "A";
            case "deleted" -> "D";
            case "type_changed" -> "T";
            case "modified", "metadata" -> "M";
            default -> "?";
        };
    }

    /**
     * {@code txfs views}: per view its owner, whether a live process is in it, isolation, pending paths
     * and bytes, the published version it reads, the bytes kept only for that version, and its age.
     */
    static String views(JsonNode r) {
        StringBuilder b = new StringBuilder();
        String row = "%-24s %6s %-8s %-15s %8s %12s %8s %12s %8s%n";
        b.append(String.format(
                row, "VIEW", "OWNER", "STATE", "ISOLATION", "PATHS", "BYTES", "VERSION", "PINNED", "AGE"));
        for (JsonNode v : r.path("views")) {
            String state = v.path("state").asText(v.path("orphaned").asBoolean() ? "orphaned" : "live");
            b.append(String.format(
                    row,
                    v.path("name").asText(),
                    v.path("owner_uid").asText(),
                    state,
                    v.path("isolation").asText(),
                    v.path("changed_paths").asText(),
                    v.path("changed_bytes").asText(),
                    v.path("snapshot_version").asText(),
                    v.path("pinned_bytes").asText("?"),
                    v.has("age_seconds") ? age(v.get("age_seconds").asLong()) : "?"));
            if (v.path("durability").asText("fsync").equals("none")) {
                b.setLength(b.length() - System.lineSeparator().length());
                b.append("  durability none (fsyncs skipped)").append(System.lineSeparator());
            }
            if (v.path("inodes").asText("node").equals("path")) {
                b.setLength(b.length() - System.lineSeparator().length());
                b.append("  inodes from paths").append(System.lineSeparator());
            }
            if (v.has("parent")) {
                b.setLength(b.length() - System.lineSeparator().length());
                b.append("  inside ").append(v.path("parent").asText()).append(System.lineSeparator());
            }
            if (v.path("checkpoints").asInt(0) > 0) {
                b.setLength(b.length() - System.lineSeparator().length());
                b.append("  ").append(v.path("checkpoints").asInt()).append(" checkpoints");
                b.append(System.lineSeparator());
            }
        }
        return b.toString();
    }

    /** An age in its largest whole unit: 45s, 12m, 3h, 2d. */
    static String age(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }

    /** One line per view {@code views rm} or {@code views prune} removed. */
    static String removed(JsonNode r) {
        return "removed view " + r.path("view").asText("?") + " ("
                + r.path("discarded_paths").asLong() + " pending paths discarded)";
    }

    /** The stderr line of {@code txfs refresh}: where the view reads now, with how much pending on top. */
    static String refreshed(JsonNode r) {
        return "refreshed view " + r.path("view").asText("?") + ": reads published version "
                + r.path("snapshot_version").asLong() + ", "
                + r.path("changed_paths").asLong() + " pending paths on top";
    }

    /** The stderr line of {@code views prune}: how many went, and which were kept for a live process. */
    static String pruneSummary(JsonNode r) {
        StringBuilder b =
                new StringBuilder("pruned ").append(r.path("pruned").size()).append(" orphaned views");
        if (r.path("live").size() > 0) {
            b.append("; kept live:");
            r.path("live").forEach(n -> b.append(' ').append(n.asText()));
        }
        if (r.path("younger").size() > 0) {
            b.append("; kept (younger):");
            r.path("younger").forEach(n -> b.append(' ').append(n.asText()));
        }
        return b.toString();
    }

    /** One line for a publish, commit, flush or abort. */
    static String summary(JsonNode r) {
        StringBuilder b = new StringBuilder(r.path("verb").asText("done"));
        if (r.has("view")) {
            b.append(" view ").append(r.get("view").asText());
        }
        if (r.has("changed_paths")) {
            b.append(": ")
                    .append(r.get("changed_paths").asLong())
                    .append(" paths, ")
                    .append(r.path("changed_bytes").asLong())
                    .append(" bytes");
        }
        if (r.has("merged_into")) {
            b.append(", merged into view ").append(r.get("merged_into").asText());
        } else if (r.has("published_version")) {
            b.append(", published version ").append(r.get("published_version").asLong());
        }
        if (r.has("flushed_version")) {
            b.append(", flushed version ").append(r.get("flushed_version").asLong());
        }
        return b.toString();
    }

    /**
     * The stderr lines of a forced publish or commit: each path where another view's published change was
     * overridden, and each path this view removed that stays for files others published inside it.
     */
    static List<String> forceLines(JsonNode r) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : r.path("overridden")) out.add("txfs: overrode " + quoted(p) + " (published by another view)");
        for (JsonNode p : r.path("kept"))
            out.add("txfs: kept " + quoted(p) + " (another view published files inside it)");
        return out;
    }

    /**
     * {@code txfs log --porcelain} (and {@code -z}): per entry {@code VERSION KIND VIEW TIME_NS PATHS BYTES DELTA}
     * separated by one space ({@code -} for no view; DELTA the id, {@code pending} or {@code unavailable}),
     * each record ended by {@code end}. A stable format: docs/cli.md.
     */
    static String logPorcelain(JsonNode r, char end) {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : r.path("entries")) {
            String view = e.path("view").asText("");
            b.append(e.path("version").asLong())
                    .append(' ')
                    .append(e.path("kind").asText())
                    .append(' ')
                    .append(view.isEmpty() ? "-" : view)
                    .append(' ')
                    .append(e.path("time_ns").asLong())
                    .append(' ')
                    .append(e.path("paths").asLong())
                    .append(' ')
                    .append(e.path("bytes").asLong())
                    .append(' ')
                    .append(delta(e))
                    .append(end);
        }
        return b.toString();
    }

    private static String delta(JsonNode e) {
        return e.path("delta_id").isTextual()
                ? e.path("delta_id").asText()
                : e.path("delta_state").asText("pending");
    }

    /** {@code txfs log}: one line per publish or flush, oldest first, its delta id last (or pending / unavailable). */
    static String log(JsonNode r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                "%8s %-7s %-24s %-30s %8s %12s %s%n", "VERSION", "KIND", "VIEW", "TIME", "PATHS", "BYTES", "DELTA"));
        for (JsonNode e : r.path("entries")) {
            b.append(String.format(
                    "%8d %-7s %-24s %-30s %8d %12d %s%n",
                    e.path("version").asLong(),
                    e.path("kind").asText(),
                    e.path("view").asText(),
                    e.path("time").asText(),
                    e.path("paths").asLong(),
                    e.path("bytes").asLong(),
                    delta(e)));
        }
        return b.toString();
    }

    /** The stderr line of {@code txfs diff --format=jsonl}: the delta id and what it covers. */
    static String deltaIdLine(JsonNode r) {
        String between = r.has("from_version")
                ? ", versions " + r.get("from_version").asLong() + " to "
                        + r.path("to_version").asLong()
                : "";
        return "txfs: delta id " + r.path("delta_id").asText() + NormalizeOption.suffix(r) + " ("
                + r.path("changed_paths").asLong() + " paths, "
                + r.path("objects").asText() + between + ")";
    }

    /**
     * {@code git diff --stat} from a unified diff: per file the changed line count and a bar of + and -,
     * "Bin" for binary files, then the totals.
     */
    static String diffStat(String unified) {
        List<String[]> rows = new ArrayList<>();
        long files = 0;
        long plus = 0;
        long minus = 0;
        byte[] path = null;
        long p = 0;
        long m = 0;
        String binary = null;
        for (String line : (unified + "diff --txfs \n").split("\n", -1)) {
            if (line.startsWith("diff --txfs ")) {
                if (path != null) {
                    rows.add(new String[] {
                        QuotedPath.quote(path),
                        binary != null ? binary : Long.toString(p + m),
                        binary != null ? "" : bar(p, m)
                    });
                    files++;
                    plus += p;
                    minus += m;
                }
                path = headerPath(line);
                p = 0;
                m = 0;
                binary = null;
            } else if (line.startsWith("Binary files ")) {
                binary = "Bin";
            } else if (line.startsWith("+") && !line.startsWith("+++ ")) {
                p++;
            } else if (line.startsWith("-") && !line.startsWith("--- ")) {
                m++;
            }
        }
        int width = 0;
        for (String[] r : rows) {
            width = Math.max(width, r[0].length());
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            b.append(' ')
                    .append(r[0])
                    .append(" ".repeat(width - r[0].length()))
                    .append(" | ")
                    .append(r[1]);
            b.append(r[2].isEmpty() ? "" : " " + r[2]).append('\n');
        }
        b.append(' ').append(files).append(files == 1 ? " file changed" : " files changed");
        if (plus > 0 || files == 0) {
            b.append(", ").append(plus).append(plus == 1 ? " insertion(+)" : " insertions(+)");
        }
        if (minus > 0) {
            b.append(", ").append(minus).append(minus == 1 ? " deletion(-)" : " deletions(-)");
        }
        return b.append('\n').toString();
    }

    /** The changed paths of a unified diff, in its order: the exact bytes from each {@code diff --txfs} header. */
    static List<byte[]> diffPaths(String unified) {
        List<byte[]> out = new ArrayList<>();
        for (String line : unified.split("\n")) {
            byte[] p = line.startsWith("diff --txfs ") ? headerPath(line) : null;
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The path of a {@code diff --txfs a/P b/P} line, both sides equal: quoted as git quotes them when P
     * needs it ({@code "a/P" "b/P"}), else as is (so P is half of what is left after {@code a/} and {@code  b/},
     * whatever it holds). Null when the line is not such a header.
     */
    static byte[] headerPath(String line) {
        String rest = line.substring("diff --txfs ".length());
        if (rest.startsWith("\"")) {
            int close = QuotedPath.closingQuote(rest, 0);
            if (close < 0) {
                return null;
            }
            byte[] a = QuotedPath.unquoteAt(rest, 0, close);
            return a.length > 2 && a[0] == 'a' && a[1] == '/' ? Arrays.copyOfRange(a, 2, a.length) : null;
        }
        if (!rest.startsWith("a/") || rest.length() < 7 || (rest.length() - 5) % 2 != 0) {
            return null;
        }
        String path = rest.substring(2, 2 + (rest.length() - 5) / 2);
        return rest.endsWith(" b/" + path) ? path.getBytes(StandardCharsets.UTF_8) : null;
    }

    /** At most 50 characters, scaled like git when a file has more changes. */
    private static String bar(long plus, long minus) {
        long total = plus + minus;
        if (total > 50) {
            long p = Math.round(plus * 50.0 / total);
            return "+".repeat((int) p) + "-".repeat((int) (50 - p));
        }
        return "+".repeat((int) plus) + "-".repeat((int) minus);
    }
}
