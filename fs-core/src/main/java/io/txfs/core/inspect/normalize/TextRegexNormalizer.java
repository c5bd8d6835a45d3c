package io.txfs.core.inspect.normalize;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code text-regex REGEX [REPLACEMENT]}: every match of REGEX (java.util.regex) replaced by REPLACEMENT
 * (empty when left out; {@code $1} refers to a group). The file is matched as bytes, one character per
 * byte, so any file can be read; a non-ASCII character in the rule matches its UTF-8 bytes. Files are
 * read whole, so they are limited to {@value #MAX_BYTES} bytes (a larger one is hashed as it is).
 */
final class TextRegexNormalizer implements Normalizer {
    static final int MAX_BYTES = 64 << 20;

    private final String regex;
    private final String replacement;
    private final Pattern pattern;
    private final String bytewiseReplacement;

    TextRegexNormalizer(String regex, String replacement) {
        this.regex = regex;
        this.replacement = replacement;
        try {
            this.pattern = Pattern.compile(bytewise(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("text-regex: bad pattern: " + e.getDescription());
        }
        this.bytewiseReplacement = bytewise(replacement);
    }

    /** The string whose characters are the UTF-8 bytes of {@code s}. */
    private static String bytewise(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Override
    public String spelling() {
        return "text-regex " + regex + (replacement.isEmpty() ? "" : " " + replacement);
    }

    @Override
    public Blob apply(Blob in) throws IOException {
        if (in.size() > MAX_BYTES) {
            throw new NotNormalizableException("larger than text-regex reads (" + MAX_BYTES + " bytes)");
        }
        String text;
        try (InputStream s = in.open()) {
            text = new String(s.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        Matcher m = pattern.matcher(text);
        String out;
        try {
            out = m.replaceAll(bytewiseReplacement);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new NotNormalizableException("text-regex replacement: " + e.getMessage());
        }
        byte[] bytes = out.getBytes(StandardCharsets.ISO_8859_1);
        return new Blob() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }
        };
    }
}
