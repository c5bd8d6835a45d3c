package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** One long operation's progress as the daemon reported it (the control file's {@code progress} verb). */
record ProgressReport(
        long id,
        String kind,
        String phase,
        long itemsDone,
        long itemsTotal,
        long bytesDone,
        long bytesTotal,
        long elapsedNs,
        long phaseElapsedNs) {
    static ProgressReport of(JsonNode n) {
        return new ProgressReport(
                n.path("id").asLong(),
                n.path("kind").asText(),
                n.path("phase").asText(),
                n.path("items_done").asLong(),
                n.path("items_total").asLong(-1),
                n.path("bytes_done").asLong(),
                n.path("bytes_total").asLong(-1),
                n.path("elapsed_ns").asLong(),
                n.path("phase_elapsed_ns").asLong());
    }

    /** "12.5 MiB, 40.1 MiB/s" or "" when no bytes moved. */
    String bytesText() {
        if (bytesDone <= 0) return "";
        double mib = bytesDone / 1048576.0;
        double secs = phaseElapsedNs / 1e9; // bytes are counted per phase
        String rate = secs > 0.2 ? String.format(", %.1f MiB/s", mib / secs) : "";
        String of = bytesTotal > 0 ? String.format(" of %.1f MiB", bytesTotal / 1048576.0) : "";
        return String.format("%.1f MiB%s%s", mib, of, rate);
    }

    String title() {
        return phase.isEmpty() ? kind : kind + " " + phase;
    }
}
