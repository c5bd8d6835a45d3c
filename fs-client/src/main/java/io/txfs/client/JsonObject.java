package io.txfs.client;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One JSON object of a reply, read field by field with its type checked: a missing or mistyped required
 * field is a {@link MalformedReplyException} naming it, never a null or a ClassCastException later.
 */
final class JsonObject {
    private final Map<String, Object> members;

    private JsonObject(Map<String, Object> members) {
        this.members = members;
    }

    /** The object one JSON text holds. */
    static JsonObject parse(String text) throws MalformedReplyException {
        return of(JsonReader.parse(text), "the reply");
    }

    @SuppressWarnings("unchecked")
    static JsonObject of(Object value, String what) throws MalformedReplyException {
        if (!(value instanceof Map<?, ?>)) {
            throw new MalformedReplyException(what + " is not a JSON object: " + value);
        }
        return new JsonObject((Map<String, Object>) value);
    }

    boolean has(String key) {
        return members.get(key) != null;
    }

    String string(String key) throws MalformedReplyException {
        return required(key, String.class, "a string");
    }

    Optional<String> optionalString(String key) throws MalformedReplyException {
        return Optional.ofNullable(optional(key, String.class, "a string"));
    }

    long number(String key) throws MalformedReplyException {
        return asLong(key, required(key, Object.class, "a number"));
    }

    OptionalLong optionalNumber(String key) throws MalformedReplyException {
        Object v = members.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(asLong(key, v));
    }

    boolean bool(String key) throws MalformedReplyException {
        return required(key, Boolean.class, "true or false");
    }

    /** A boolean field older daemons leave out. */
    boolean bool(String key, boolean absent) throws MalformedReplyException {
        Boolean b = optional(key, Boolean.class, "true or false");
        return b == null ? absent : b;
    }

    /** The raw value of a field (a Map, List, String, Long, BigInteger, BigDecimal or Boolean), or null. */
    Object raw(String key) {
        return members.get(key);
    }

    /** An array field; absent reads as empty (replies leave out lists that would be empty). */
    List<Object> array(String key) throws MalformedReplyException {
        List<?> list = optional(key, List.class, "an array");
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }

    List<JsonObject> objects(String key) throws MalformedReplyException {
        List<JsonObject> out = new ArrayList<>();
        for (Object o : array(key)) {
            out.add(of(o, "an element of '" + key + "'"));
        }
        return out;
    }

    List<String> strings(String key) throws MalformedReplyException {
        List<String> out = new ArrayList<>();
        for (Object o : array(key)) {
            if (!(o instanceof String s)) {
                throw new MalformedReplyException("an element of '" + key + "' is not a string: " + o);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private <T> T required(String key, Class<T> type, String what) throws MalformedReplyException {
        T v = optional(key, type, what);
        if (v == null) {
            throw new MalformedReplyException("the reply has no '" + key + "' (" + this + ")");
        }
        return v;
    }

    private <T> T optional(String key, Class<T> type, String what) throws MalformedReplyException {
        Object v = members.get(key);
        if (v != null && !type.isInstance(v)) {
            throw new MalformedReplyException("'" + key + "' is not " + what + ": " + v);
        }
        return type.cast(v);
    }

    private static long asLong(String key, Object v) throws MalformedReplyException {
        if (v instanceof Long l) {
            return l;
        }
        String why = v instanceof BigInteger ? "a whole number beyond 64 bits" : "a whole number";
        throw new MalformedReplyException("'" + key + "' is not " + why + ": " + v);
    }

    @Override
    public String toString() {
        return members.toString();
    }
}
