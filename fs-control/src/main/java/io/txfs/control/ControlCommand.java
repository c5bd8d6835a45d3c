package io.txfs.control;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One line written to {@code .txfs/ctl}: {@code VERB [view=NAME] [isolation=snapshot|read-committed] [force]
 * [published] [backing] [format=WORD] [objects=sha1|sha256] [extended] [mtimes] [canonical] [path=P] [fd=N]
 * [from=S to=S] [wait] [older_than=SECONDS] [toplevel] [if_unchanged] [normalize=RULES] [trace] [mtime_clamp=EPOCH] [readdir=sorted|reverse|shuffle] [durability=fsync|none] [name=NAME] [inodes=node|path] [merge=bytes]}, each
 * verb taking only its own arguments ({@link ControlVerb}). Words are separated by single spaces or tabs;
 * one trailing newline is allowed. Anything else is refused.
 *
 * <p>{@code path=} is percent-encoded ({@code %XX} for any byte, required for space, '%', control
 * bytes and bytes over 0x7e) so that any raw name bytes fit in one word; {@link #pathBytes()} decodes it.
 * {@code normalize=} is a rules file (docs/reproducibility.md), UTF-8, percent-encoded the same way.
 */
public record ControlCommand(
        ControlVerb verb,
        Optional<String> view,
        Optional<Isolation> isolation,
        boolean force,
        boolean published,
        boolean backing,
        Optional<String> format,
        Optional<String> objects,
        boolean extended,
        boolean mtimes,
        boolean canonical,
        Optional<String> path,
        Optional<Integer> fd,
        Optional<String> from,
        Optional<String> to,
        boolean await,
        Optional<Long> olderThanSeconds,
        boolean toplevel,
        boolean ifUnchanged,
        Optional<String> normalize,
        boolean trace,
        Optional<Long> mtimeClampSeconds,
        Optional<String> readdir,
        Optional<String> durability,
        Optional<String> name,
        Optional<String> inodes,
        Optional<String> merge) {
    /**
     * Longer lines are refused before they are decoded: no command needs more (a rules file for
     * {@code normalize=} travels in the line, percent-encoded).
     */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private static final Pattern VIEW_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    public enum Isolation {
        SNAPSHOT("snapshot"),
        READ_COMMITTED("read-committed");

        private final String word;

        Isolation(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public static ControlCommand parse(byte[] bytes) throws BadControlCommandException {
        String[] words = words(bytes);
        ControlVerb verb = ControlVerb.of(words[0]);
        if (verb == null) {
            throw new BadControlCommandException("unknown verb '" + printable(words[0]) + "'; verbs: " + verbList());
        }
        Arguments args = new Arguments(verb);
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            if (!verb.takes(key)) {
                throw new BadControlCommandException(
                        "'" + verb.word() + "' takes no argument '" + printable(key) + "'");
            }
            args.accept(key, eq < 0 ? null : w.substring(eq + 1));
        }
        return args.command();
    }

    /** The line's words: UTF-8, no control characters, one optional trailing newline, at least a verb. */
    private static String[] words(byte[] bytes) throws BadControlCommandException {
        if (bytes.length > MAX_LINE_BYTES) {
            throw new BadControlCommandException("command longer than " + MAX_LINE_BYTES + " bytes");
        }
        String line;
        try {
            line = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
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
        return words;
    }

    /** The arguments of one command as they are read, checked as a whole by {@link #command}. */
    private static final class Arguments {
        private final ControlVerb verb;
        private Optional<String> view = Optional.empty();
        private Optional<Isolation> isolation = Optional.empty();
        private boolean force;
        private boolean published;
        private boolean backing;
        private boolean extended;
        private boolean mtimes;
        private boolean canonical;
        private Optional<String> format = Optional.empty();
        private Optional<String> objects = Optional.empty();
        private Optional<String> path = Optional.empty();
        private Optional<Integer> fd = Optional.empty();
        private Optional<String> from = Optional.empty();
        private Optional<String> to = Optional.empty();
        private boolean await;
        private Optional<Long> olderThan = Optional.empty();
        private boolean toplevel;
        private boolean ifUnchanged;
        private Optional<String> normalize = Optional.empty();
        private boolean trace;
        private Optional<Long> mtimeClamp = Optional.empty();
        private Optional<String> readdir = Optional.empty();
        private Optional<String> durability = Optional.empty();
        private Optional<String> name = Optional.empty();
        private Optional<String> inodes = Optional.empty();
        private Optional<String> merge = Optional.empty();

        Arguments(ControlVerb verb) {
            this.verb = verb;
        }

        void accept(String key, String value) throws BadControlCommandException {
            switch (key) {
                case "view" -> view = Optional.of(viewName(value));
                case "isolation" -> isolation = Optional.of(isolation(value));
                case "force" -> force = flag(key, value);
                case "published" -> published = flag(key, value);
                case "backing" -> backing = flag(key, value);
                case "extended" -> extended = flag(key, value);
                case "mtimes" -> mtimes = flag(key, value);
                case "canonical" -> canonical = flag(key, value);
                case "format" -> format = Optional.of(oneOf(key, value, formats(verb)));
                case "objects" -> objects = Optional.of(oneOf(key, value, new String[] {"sha1", "sha256"}));
                case "fd" -> fd = Optional.of(descriptor(value));
                case "from" -> from = Optional.of(state(key, value));
                case "to" -> to = Optional.of(state(key, value));
                case "wait" -> await = flag(key, value);
                case "older_than" -> olderThan = Optional.of(seconds(key, value));
                case "toplevel" -> toplevel = flag(key, value);
                case "if_unchanged" -> ifUnchanged = flag(key, value);
                case "path" -> {
                    decodePath(value);
                    path = Optional.of(value);
                }
                case "normalize" -> normalize = Optional.of(normalizeRules(value));
                case "trace" -> trace = flag(key, value);
                case "mtime_clamp" -> mtimeClamp = Optional.of(seconds(key, value));
                case "durability" -> durability = Optional.of(oneOf(key, value, new String[] {"fsync", "none"}));
                case "name" -> name = Optional.of(checkpointName(value));
                case "inodes" -> inodes = Optional.of(oneOf(key, value, new String[] {"node", "path"}));
                case "merge" -> merge = Optional.of(oneOf(key, value, new String[] {"bytes"}));
                case "readdir" ->
                    readdir = Optional.of(oneOf(key, value, new String[] {"sorted", "reverse", "shuffle"}));
                default -> throw new BadControlCommandException("unknown argument '" + printable(key) + "'");
            }
        }

        ControlCommand command() throws BadControlCommandException {
            if ((view.isPresent() ? 1 : 0) + (published ? 1 : 0) + (backing ? 1 : 0) > 1) {
                throw new BadControlCommandException("name one state: view=NAME, published or backing");
            }
            if (mtimes && !extended) {
                throw new BadControlCommandException("'mtimes' needs 'extended' (the git id has no times)");
            }
            if (from.isPresent() != to.isPresent()) {
                throw new BadControlCommandException("'from' and 'to' go together: diff from=VERSION to=VERSION");
            }
            if (from.isPresent() && view.isPresent() && !isViewState(from.get()) && !isViewState(to.get())) {
                throw new BadControlCommandException(
                        "diff either a view or from=/to= versions, not both (view= goes with cp:NAME or current)");
            }
            if (force && merge.isPresent()) {
                // force already decides every path for the view; merging some first would make its report lie
                throw new BadControlCommandException("'force' and 'merge=bytes' do not go together: choose one");
            }
            if ((verb == ControlVerb.CHECKPOINT || verb == ControlVerb.ROLLBACK) && name.isEmpty()) {
                throw new BadControlCommandException("'" + verb.word() + "' needs name=NAME");
            }
            return new ControlCommand(
                    verb,
                    view,
                    isolation,
                    force,
                    published,
                    backing,
                    format,
                    objects,
                    extended,
                    mtimes,
                    canonical,
                    path,
                    fd,
                    from,
                    to,
                    await,
                    olderThan,
                    toplevel,
                    ifUnchanged,
                    normalize,
                    trace,
                    mtimeClamp,
                    readdir,
                    durability,
                    name,
                    inodes,
                    merge);
        }
    }

    /** The raw bytes {@code path=} names, relative to the tree's root; empty for the root. */
    public Optional<byte[]> pathBytes() {
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(decodePath(path.get()));
        } catch (BadControlCommandException e) {
            throw new IllegalStateException("validated at parse", e);
        }
    }

    /** The rules text {@code normalize=} carries (UTF-8). */
    private static String normalizeRules(String value) throws BadControlCommandException {
        if (value == null || value.isEmpty()) {
            throw new BadControlCommandException("'normalize' needs the rules: normalize=RULES (percent-encoded)");
        }
        byte[] raw = decodePath(value);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadControlCommandException("normalize rules are not UTF-8 text");
        }
    }

    /** The bytes {@link #encodePath} encoded; IllegalArgumentException when it is not such an encoding. */
    public static byte[] decodePathBytes(String encoded) {
        try {
            return decodePath(encoded);
        } catch (BadControlCommandException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code path=} for raw path bytes: printable ASCII as is, anything else and '%' as %XX. */
    public static String encodePath(byte[] raw) {
        StringBuilder b = new StringBuilder();
        for (byte x : raw) {
            int u = x & 0xff;
            if (u > 0x20 && u < 0x7f && u != '%') {
                b.append((char) u);
            } else {
                b.append('%')
                        .append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
            }
        }
        return b.toString();
    }

    private static byte[] decodePath(String value) throws BadControlCommandException {
        if (value == null) {
            throw new BadControlCommandException("'path' needs a value: path=a/b (percent-encoded)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
                int lo = i + 2 < value.length() ? Character.digit(value.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new BadControlCommandException("bad %-escape in path (use %XX)");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e) {
                throw new BadControlCommandException("path must be ASCII with %XX escapes");
            } else {
                out.write(c);
            }
        }
        byte[] raw = out.toByteArray();
        for (byte x : raw) {
            if (x == 0) {
                throw new BadControlCommandException("path contains NUL");
            }
        }
        if (raw.length > 4096) {
            throw new BadControlCommandException("path longer than 4096 bytes");
        }
        return raw;
    }

    private static String[] formats(ControlVerb verb) {
        return switch (verb) {
            case HASH -> new String[] {"sha1", "sha256"};
            case EXPORT -> new String[] {"oci-tar"};
            default -> new String[] {"text", "jsonl"};
        };
    }

    /**
     * A state to diff: of the log, a version number, {@code flushed} (what the backing directory holds) or
     * {@code published}; of a view, {@code cp:NAME} (one of its checkpoints) or {@code current} (its state now).
     */
    private static String state(String key, String value) throws BadControlCommandException {
        if (value != null && (value.matches("[0-9]{1,18}") || value.equals("flushed") || value.equals("published"))) {
            return value;
        }
        if (value != null && (value.equals("current") || value.startsWith("cp:"))) {
            if (value.startsWith("cp:")) checkpointName(value.substring(3));
            return value;
        }
        throw new BadControlCommandException(
                "'" + key + "' takes a version number, 'flushed', 'published', 'cp:NAME' or 'current'");
    }

    /** Whether a {@code from=}/{@code to=} word names a state of a view rather than of the log. */
    public static boolean isViewState(String word) {
        return word.equals("current") || word.startsWith("cp:");
    }

    /** A checkpoint's name: as a view's, 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -. */
    private static String checkpointName(String value) throws BadControlCommandException {
        if (!isValidViewName(value)) {
            throw new BadControlCommandException("bad checkpoint name '" + printable(String.valueOf(value))
                    + "': 1-64 of A-Z a-z 0-9 . _ -, not starting with . or -");
        }
        return value;
    }

    /** A whole number of seconds (an age); at most 18 digits so that it fits a long. */
    private static long seconds(String key, String value) throws BadControlCommandException {
        if (value == null || !value.matches("[0-9]{1,18}")) {
            throw new BadControlCommandException("'" + key + "' takes a number of seconds");
        }
        return Long.parseLong(value);
    }

    private static int descriptor(String value) throws BadControlCommandException {
        if (value == null || !value.matches("[0-9]{1,9}")) {
            throw new BadControlCommandException("'fd' takes a descriptor number");
        }
        return Integer.parseInt(value);
    }

    private static boolean flag(String key, String value) throws BadControlCommandException {
        if (value != null) {
            throw new BadControlCommandException("'" + key + "' takes no value");
        }
        return true;
    }

    private static String oneOf(String key, String value, String[] allowed) throws BadControlCommandException {
        for (String a : allowed) {
            if (a.equals(value)) {
                return a;
            }
        }
        throw new BadControlCommandException("'" + key + "' must be one of " + String.join(", ", allowed));
    }

    /** The line a client writes for this command. */
    public String toLine() {
        StringBuilder b = new StringBuilder(verb.word());
        view.ifPresent(v -> b.append(" view=").append(v));
        isolation.ifPresent(i -> b.append(" isolation=").append(i.word()));
        if (force) {
            b.append(" force");
        }
        if (published) {
            b.append(" published");
        }
        if (backing) {
            b.append(" backing");
        }
        format.ifPresent(f -> b.append(" format=").append(f));
        objects.ifPresent(o -> b.append(" objects=").append(o));
        if (extended) {
            b.append(" extended");
        }
        if (mtimes) {
            b.append(" mtimes");
        }
        if (canonical) {
            b.append(" canonical");
        }
        path.ifPresent(p -> b.append(" path=").append(p));
        fd.ifPresent(f -> b.append(" fd=").append(f));
        from.ifPresent(f -> b.append(" from=").append(f));
        to.ifPresent(t -> b.append(" to=").append(t));
        if (await) {
            b.append(" wait");
        }
        olderThanSeconds.ifPresent(s -> b.append(" older_than=").append(s));
        if (toplevel) {
            b.append(" toplevel");
        }
        if (ifUnchanged) {
            b.append(" if_unchanged");
        }
        name.ifPresent(n -> b.append(" name=").append(n));
        inodes.ifPresent(i -> b.append(" inodes=").append(i));
        merge.ifPresent(m -> b.append(" merge=").append(m));
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
