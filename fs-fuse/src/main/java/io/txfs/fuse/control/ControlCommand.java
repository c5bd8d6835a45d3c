package io.txfs.fuse.control;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One line written to {@code .txfs/ctl}: {@code VERB [view=NAME] [isolation=snapshot|read-committed] [force]}.
 * Words are separated by single spaces or tabs; one trailing newline is allowed. Anything else is refused.
 */
public record ControlCommand(ControlVerb verb, Optional<String> view, Optional<Isolation> isolation, boolean force) {
    /** Longer lines are refused before they are decoded: no command needs more. */
    public static final int MAX_LINE_BYTES = 4096;
    private static final Pattern VIEW_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    public enum Isolation {
        SNAPSHOT("snapshot"), READ_COMMITTED("read-committed");

        private final String word;

        Isolation(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public static ControlCommand parse(byte[] bytes) throws BadControlCommandException {
        if (bytes.length > MAX_LINE_BYTES) {
            throw new BadControlCommandException("command longer than " + MAX_LINE_BYTES + " bytes");
        }
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadControlCommandException("command is not UTF-8 text");
        }
        if (line.endsWith("\n")) {
            line = line.substring(0, line.length() - 1);
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new BadControlCommandException("command contains a control character (one command per write)");
            }
        }
        String[] words = line.trim().split("[ \t]+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new BadControlCommandException("empty command; verbs: " + verbList());
        }
        ControlVerb verb = ControlVerb.of(words[0]);
        if (verb == null) {
            throw new BadControlCommandException("unknown verb '" + printable(words[0]) + "'; verbs: " + verbList());
        }
        Optional<String> view = Optional.empty();
        Optional<Isolation> isolation = Optional.empty();
        boolean force = false;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            if (!verb.takes(key)) {
                throw new BadControlCommandException("'" + verb.word() + "' takes no argument '" + printable(key) + "'");
            }
            String value = eq < 0 ? null : w.substring(eq + 1);
            switch (key) {
                case "view" -> view = Optional.of(viewName(value));
                case "isolation" -> isolation = Optional.of(isolation(value));
                case "force" -> {
                    if (value != null) {
                        throw new BadControlCommandException("'force' takes no value");
                    }
                    force = true;
                }
                default -> throw new BadControlCommandException("unknown argument '" + printable(key) + "'");
            }
        }
        return new ControlCommand(verb, view, isolation, force);
    }

    /** The line a client writes for this command. */
    public String toLine() {
        StringBuilder b = new StringBuilder(verb.word());
        view.ifPresent(v -> b.append(" view=").append(v));
        isolation.ifPresent(i -> b.append(" isolation=").append(i.word()));
        if (force) {
            b.append(" force");
        }
        return b.append('\n').toString();
    }

    public static boolean isValidViewName(String name) {
        return name != null && VIEW_NAME.matcher(name).matches();
    }

    private static String viewName(String value) throws BadControlCommandException {
        if (!isValidViewName(value)) {
            throw new BadControlCommandException("bad view name '" + printable(String.valueOf(value))
                    + "': 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -");
        }
        return value;
    }

    private static Isolation isolation(String value) throws BadControlCommandException {
        for (Isolation i : Isolation.values()) {
            if (i.word.equals(value)) {
                return i;
            }
        }
        throw new BadControlCommandException("isolation must be snapshot or read-committed");
    }

    private static String verbList() {
        StringBuilder b = new StringBuilder();
        for (ControlVerb v : ControlVerb.values()) {
            b.append(b.length() == 0 ? "" : ", ").append(v.word());
        }
        return b.toString();
    }

    private static String printable(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
