package io.txfs.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.txfs.control.ControlCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --normalize RULES}: ids and deltas of files read as a rules file makes them
 * (docs/reproducibility.md, "Normalized ids"). The file is read here, as the caller, and travels in the
 * control line; the daemon parses it and refuses bad rules with their line number.
 */
final class NormalizeOption {
    @Option(
            names = "--normalize",
            paramLabel = "RULES",
            description = "A rules file, one 'GLOB NORMALIZER [ARGS]' per line (module-signature, zip-timestamps, "
                    + "byte-range OFF:LEN, text-regex REGEX [REPLACEMENT]): ids of files as the rules make them.")
    Path rules;

    /** The control argument ({@code " normalize=..."}), or "" without the option. */
    String argument() {
        return rules == null ? "" : argumentFor(rules);
    }

    /** The control argument for the rules file {@code rules}. */
    static String argumentFor(Path rules) {
        byte[] text;
        try {
            text = Files.readAllBytes(rules);
        } catch (IOException e) {
            throw new UserFacingException("cannot read the rules file " + rules + ": " + e.getMessage(), e);
        }
        if (text.length > ControlCommand.MAX_LINE_BYTES / 4) {
            throw new UserFacingException(
                    "the rules file " + rules + " is larger than " + ControlCommand.MAX_LINE_BYTES / 4 + " bytes");
        }
        return " normalize=" + ControlCommand.encodePath(text);
    }

    /** " normalized:RULES-ID" for an id the rules made, so it is never mistaken for a raw one; else "". */
    static String suffix(JsonNode reply) {
        return reply.hasNonNull("normalized_by")
                ? " normalized:" + reply.get("normalized_by").asText()
                : "";
    }

    /** Tells on stderr which files a rule named but its normalizer could not read (hashed as they are). */
    static void warnNotNormalized(JsonNode reply, PrintWriter err) {
        for (JsonNode p : reply.path("not_normalized")) {
            err.println("txfs: not normalized, hashed as it is: " + p.asText());
        }
    }
}
