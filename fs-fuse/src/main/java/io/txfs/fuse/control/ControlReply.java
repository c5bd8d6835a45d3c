package io.txfs.fuse.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/**
 * The one JSON object a read of {@code .txfs/ctl} returns after a command: {@code ok}, the verb, and
 * either the result's fields or {@code error} (an errno name) with a message and, for conflicts, paths.
 */
public final class ControlReply {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode node;
    /** A reply that is raw bytes instead of JSON ({@code export}'s tar); null for JSON replies. */
    private final byte[] raw;

    private ControlReply(ObjectNode node) {
        this(node, null);
    }

    private ControlReply(ObjectNode node, byte[] raw) {
        this.node = node;
        this.raw = raw;
    }

    /**
     * A successful reply whose bytes are {@code payload} itself, read to EOF by the client (only a
     * verb documented to answer so may use it; failures are always JSON).
     */
    public static ControlReply raw(ControlVerb verb, byte[] payload) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ok", true);
        n.put("verb", verb.word());
        n.put("raw_bytes", payload.length);
        return new ControlReply(n, payload);
    }

    /** What a reader of the control file gets: the raw payload, or the JSON line. */
    public byte[] bytes() {
        return raw != null ? raw : toJsonLine().getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
