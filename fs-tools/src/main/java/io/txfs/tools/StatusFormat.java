package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders the daemon's JSON replies as text for people. */
final class StatusFormat {
    private StatusFormat() {
    }

    /** {@code git status --short} style: one letter and the path, then the counts. */
    static String status(JsonNode r) {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : r.path("entries")) {
            b.append(kindLetter(e.path("kind").asText())).append("  ").append(e.path("path").asText()).append('\n');
        }
        b.append("# view ").append(r.path("view").asText("?"))
                .append(": ").append(r.path("changed_paths").asLong()).append(" paths, ")
                .append(r.path("changed_bytes").asLong()).append(" bytes pending")
                .append(" (snapshot ").append(r.path("snapshot_version").asLong())
                .append(", published ").append(r.path("published_version").asLong()).append(")\n");
        return b.toString();
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

    static String views(JsonNode r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-24s %-15s %6s %8s %12s %s%n", "VIEW", "ISOLATION", "UID", "PATHS", "BYTES", "STATE"));
        for (JsonNode v : r.path("views")) {
            b.append(String.format("%-24s %-15s %6d %8d %12d %s%n",
                    v.path("name").asText(), v.path("isolation").asText(), v.path("owner_uid").asLong(),
                    v.path("changed_paths").asLong(), v.path("changed_bytes").asLong(),
                    v.path("orphaned").asBoolean() ? "orphaned" : "active"));
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
            b.append(": ").append(r.get("changed_paths").asLong()).append(" paths, ")
                    .append(r.path("changed_bytes").asLong()).append(" bytes");
        }
        if (r.has("published_version")) {
            b.append(", published version ").append(r.get("published_version").asLong());
        }
        if (r.has("flushed_version")) {
            b.append(", flushed version ").append(r.get("flushed_version").asLong());
        }
        return b.toString();
    }
}
