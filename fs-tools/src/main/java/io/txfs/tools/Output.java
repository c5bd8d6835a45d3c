package io.txfs.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.txfs.control.ControlCommand;
import io.txfs.control.ControlReply;
import io.txfs.core.model.QuotedPath;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How commands print what they print: JSON as one ASCII line (non-ASCII escaped, so exact whatever the
 * locale's charset), paths quoted in text (git's core.quotePath) and as exact bytes with {@code -z}.
 */
final class Output {
    private static final ObjectWriter ASCII_JSON = ControlReply.json().writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

    /** What {@code --json} does, on every command that has it. */
    static final String JSON_HELP = "Print the result as one JSON object on stdout (docs/cli.md).";

    private Output() {}

    /** One line of JSON in ASCII. */
    static String json(JsonNode n) {
        try {
            return ASCII_JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The exact bytes of an entry's {@code "path"}: its UTF-8 text, or, with {@code "encoded":true}, the
     * percent-encoded bytes of a name that is not UTF-8.
     */
    static byte[] pathBytes(JsonNode entry) {
        String p = entry.path("path").asText();
        return entry.path("encoded").asBoolean(false)
                ? ControlCommand.decodePathBytes(p)
                : p.getBytes(StandardCharsets.UTF_8);
    }

    /** An entry's path as text output shows it: quoted when it holds anything but printable ASCII. */
    static String quotedPath(JsonNode entry) {
        return QuotedPath.quote(pathBytes(entry));
    }

    /** Writes bytes as they are to stdout, after whatever {@code out} holds. */
    static void raw(PrintWriter out, byte[] bytes) {
        out.flush();
        System.out.write(bytes, 0, bytes.length);
        System.out.flush();
        if (System.out.checkError()) {
            throw new UncheckedIOException(new IOException("writing to stdout failed"));
        }
    }
}
