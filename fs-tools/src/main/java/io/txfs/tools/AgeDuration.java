package io.txfs.tools;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An age or interval on the command line: a whole number with s, m, h or d (a bare number is seconds), or ms where {@link #duration} reads it. */
final class AgeDuration {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,12})([smhd]?)");

    private AgeDuration() {}

    private static final Pattern FINE = Pattern.compile("([0-9]{1,12})(ms|[smhd]?)");

    /** As {@link #seconds}, also in milliseconds ({@code 100ms}). */
    static Duration duration(String word) {
        Matcher m = word == null ? null : FINE.matcher(word);
        if (m == null || !m.matches()) {
            throw new UserFacingException(
                    "bad duration '" + word + "': a whole number with ms, s, m, h or d (100ms, 30s, 10m, 2h, 1d)");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(seconds(word));
    }

    /** The duration in seconds; a malformed word is the user's error, named in the message. */
    static long seconds(String word) {
        Matcher m = word == null ? null : FORM.matcher(word);
        if (m == null || !m.matches()) {
            throw new UserFacingException(
                    "bad duration '" + word + "': a whole number with s, m, h or d (30s, 10m, 2h, 1d)");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86400;
            default -> 1;
        };
        return n * unit; // at most 10^12 days in seconds: fits a long
    }
}
