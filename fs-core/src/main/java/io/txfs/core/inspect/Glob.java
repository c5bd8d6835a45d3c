package io.txfs.core.inspect;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A path pattern (a normalize rule's, a trace check's), matched against the path from the tree's root: {@code *} is any run of
 * bytes within one name, {@code ?} one byte, {@code [...]} a class, {@code **}{@code /} any number of
 * directories (none included), {@code **} anything. A pattern without {@code /} matches a name at any
 * depth ({@code *.jar} is every jar), as in .gitignore. Matched as bytes: a non-ASCII character matches
 * its UTF-8 bytes.
 */
public final class Glob {
    private final String text;
    private final Pattern regex;

    public Glob(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("empty glob");
        this.text = text;
        String bytes = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String anchored = bytes.startsWith("/") ? bytes.substring(1) : bytes;
        boolean anyDepth = !bytes.contains("/");
        this.regex = Pattern.compile((anyDepth ? "(?:.*/)?" : "") + translate(anchored), Pattern.DOTALL);
    }

    private static String translate(String g) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*' && i + 1 < g.length() && g.charAt(i + 1) == '*') {
                boolean slash = i + 2 < g.length() && g.charAt(i + 2) == '/';
                r.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                r.append("[^/]*");
            } else if (c == '?') {
                r.append("[^/]");
            } else if (c == '[') {
                int close = g.indexOf(']', i + 2);
                if (close < 0) throw new IllegalArgumentException("glob '" + g + "': '[' without ']'");
                String body = g.substring(i + 1, close);
                if (body.startsWith("!")) body = "^" + body.substring(1);
                r.append('[')
                        .append(body.replace("\\", "\\\\").replace("[", "\\["))
                        .append(']');
                i = close;
            } else {
                r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }

    public boolean matches(TreePath path) {
        return regex.matcher(new String(path.bytes(), StandardCharsets.ISO_8859_1))
                .matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
