package io.txfs.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The one JSON object a read of {@code .txfs/ctl} returns after a command: {@code ok}, the verb, and
 * either the result's fields or {@code error} (an errno name) with a message and, for conflicts, paths.
 */
public final class ControlReply {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode node;
    /** A raw reply written while it is read ({@code export}); null otherwise. */
    private final RawProducer stream;

    /** Writes a streamed reply's bytes; runs on a thread of its own after the command's write returned. */
    @FunctionalInterface
    public interface RawProducer {
        void writeTo(OutputStream out) throws IOException;
    }

    private ControlReply(ObjectNode node) {
        this(node, null);
    }

    private ControlReply(ObjectNode node, RawProducer stream) {
        this.node = node;
        this.stream = stream;
    }

    /**
     * A successful reply whose bytes {@code producer} writes while the client reads them to EOF: any
     * size, bounded memory (StreamedReply). A failure after the command was accepted is the read's EIO.
     */
    public static ControlReply streamed(ControlVerb verb, RawProducer producer) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ok", true);
        n.put("verb", verb.word());
        n.put("streamed", true);
        return new ControlReply(n, producer);
    }

    /** The producer of a streamed reply; null for any other. */
    public RawProducer stream() {
        return stream;
    }

    /** What a reader of the control file gets, unless the reply is streamed: the JSON line. */
    public byte[] bytes() {
        return toJsonLine().getBytes(StandardCharsets.UTF_8);
    }

    public static ControlReply ok(ControlVerb verb) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ok", true);
        n.put("verb", verb.word());
        return new ControlReply(n);
    }

    /** A failure; {@code verb} may be null when the line was not a command at all. */
    public static ControlReply error(ControlVerb verb, String errno, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ok", false);
        if (verb != null) {
            n.put("verb", verb.word());
        }
        n.put("error", errno);
        n.put("message", message);
        return new ControlReply(n);
    }

    public ControlReply put(String key, String value) {
        node.put(key, value);
        return this;
    }

    public ControlReply put(String key, long value) {
        node.put(key, value);
        return this;
    }

    public ControlReply put(String key, boolean value) {
        node.put(key, value);
        return this;
    }

    public ControlReply putStrings(String key, Collection<String> values) {
        ArrayNode a = node.putArray(key);
        values.forEach(a::add);
        return this;
    }

    /** A nested value built by the caller (lists of views, status entries). */
    public ControlReply putNode(String key, JsonNode value) {
        node.set(key, value);
        return this;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /**
     * Puts a path's exact bytes as {@code "path"}: its UTF-8 text, or, where the bytes are not UTF-8, their
     * percent-encoding ({@link ControlCommand#encodePath}) and {@code "encoded":true} (only then).
     */
    public static ObjectNode putPath(ObjectNode entry, byte[] path) {
        try {
            String utf8 = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(path))
                    .toString();
            return entry.put("path", utf8);
        } catch (CharacterCodingException e) {
            return entry.put("path", ControlCommand.encodePath(path)).put("encoded", true);
        }
    }

    public JsonNode node() {
        return node;
    }

    /** The reply as written to the reader: one line of JSON. */
    public String toJsonLine() {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode parse(String text) throws JsonProcessingException {
        return JSON.readTree(text);
    }
}
