package io.txfs.client;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON text (RFC 8259) into plain Java values: an object is a {@code Map<String, Object>} in
 * member order, an array a {@code List<Object>}, a string a {@code String}, an integer a {@code Long} (a
 * {@code BigInteger} beyond its range), any other number a {@code BigDecimal}, true/false a
 * {@code Boolean}, null {@code null}. Strict: no trailing text, no comments, no leading zeros, no raw
 * control characters in strings. Its own because the client may depend on nothing but the JDK.
 */
final class JsonReader {
    /** Deeper nesting is refused rather than left to overflow the stack: no reply nests more than a few levels. */
    static final int MAX_DEPTH = 256;

    private final String text;
    private int at;
    private int depth;

    private JsonReader(String text) {
        this.text = text;
    }

    /** The value {@code text} holds; whitespace around it is allowed, anything else after it is not. */
    static Object parse(String text) throws MalformedReplyException {
        JsonReader r = new JsonReader(text);
        r.skipWhitespace();
        Object value = r.value();
        r.skipWhitespace();
        if (r.at != text.length()) {
            throw r.error("text after the value");
        }
        return value;
    }

    private Object value() throws MalformedReplyException {
        if (at >= text.length()) {
            throw error("a value was expected, the text ended");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || c >= '0' && c <= '9') {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object() throws MalformedReplyException {
        enter();
        at++; // '{'
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            at++;
            return leave(Collections.unmodifiableMap(members));
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("a member name (a string) was expected");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            members.put(name, value());
            skipWhitespace();
            char c = next("',' or '}'");
            if (c == '}') {
                return leave(Collections.unmodifiableMap(members));
            }
            if (c != ',') {
                throw error("',' or '}' was expected, not '" + c + "'");
            }
        }
    }

    private List<Object> array() throws MalformedReplyException {
        enter();
        at++; // '['
        List<Object> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            at++;
            return leave(Collections.unmodifiableList(items));
        }
        while (true) {
            skipWhitespace();
            items.add(value());
            skipWhitespace();
            char c = next("',' or ']'");
            if (c == ']') {
                return leave(Collections.unmodifiableList(items));
            }
            if (c != ',') {
                throw error("',' or ']' was expected, not '" + c + "'");
            }
        }
    }

    private String string() throws MalformedReplyException {
        at++; // '"'
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next("'\"'");
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("a raw control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next("an escape");
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                // UTF-16 units, so an escaped surrogate pair lands as the pair it encodes
                case 'u' -> b.append(hexUnit());
                default -> throw error("bad escape '\\" + e + "'");
            }
        }
    }

    private char hexUnit() throws MalformedReplyException {
        if (at + 4 > text.length()) {
            throw error("\\u needs four hex digits");
        }
        int unit = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(at + i), 16);
            if (d < 0) {
                throw error("\\u needs four hex digits");
            }
            unit = unit << 4 | d;
        }
        at += 4;
        return (char) unit;
    }

    private Object number() throws MalformedReplyException {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            throw error("a digit was expected");
        }
        boolean integer = true;
        if (peek() == '.') {
            at++;
            integer = false;
            if (!digits()) {
                throw error("a digit was expected after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            integer = false;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!digits()) {
                throw error("a digit was expected in the exponent");
            }
        }
        String n = text.substring(start, at);
        if (!integer) {
            return new BigDecimal(n);
        }
        BigInteger big = new BigInteger(n);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    /** Consumes a run of digits; false if there was none. */
    private boolean digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at > start;
    }

    private Object literal(String word, Object value) throws MalformedReplyException {
        if (!text.startsWith(word, at)) {
            throw error("'" + word + "' was expected");
        }
        at += word.length();
        return value;
    }

    private void enter() throws MalformedReplyException {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private <T> T leave(T container) {
        depth--;
        return container;
    }

    private void skipWhitespace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    /** The next character without consuming it; 0 at the end (never valid where it is asked). */
    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private char next(String expected) throws MalformedReplyException {
        if (at >= text.length()) {
            throw error(expected + " was expected, the text ended");
        }
        return text.charAt(at++);
    }

    private void expect(char c) throws MalformedReplyException {
        char got = next("'" + c + "'");
        if (got != c) {
            at--;
            throw error("'" + c + "' was expected, not '" + got + "'");
        }
    }

    private MalformedReplyException error(String what) {
        return new MalformedReplyException("not JSON at offset " + at + ": " + what);
    }
}
