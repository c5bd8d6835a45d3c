package io.txfs.client;

import java.util.regex.Pattern;

/** View names as the daemon takes them, checked here because a name is one word of a command line. */
final class ViewNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    private ViewNames() {}

    /** {@code name}, or IllegalArgumentException: a space in it would add words to the command. */
    static String require(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "bad view name '" + name + "': 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -");
        }
        return name;
    }
}
