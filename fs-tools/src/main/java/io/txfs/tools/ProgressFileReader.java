package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads {@code STATE/progress.json}, where a daemon still opening (recovering) says how far it got. */
final class ProgressFileReader {
    private ProgressFileReader() {}

    static Optional<ProgressReport> newest(Path file) {
        try {
            JsonNode n = ControlReply.parse(Files.readString(file));
            ProgressReport newest = null;
            for (JsonNode w : n.path("running")) {
                ProgressReport p = ProgressReport.of(w);
                if (newest == null || p.id() > newest.id()) newest = p;
            }
            return Optional.ofNullable(newest);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not there (nothing to recover) or being replaced: nothing to show
        }
    }
}
