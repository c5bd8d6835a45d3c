package io.txfs.core.inspect.normalize;

import io.txfs.core.inspect.Glob;
import io.txfs.core.inspect.TreePath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A rules file (docs/reproducibility.md, "Normalized ids"): one rule per line, {@code GLOB NORMALIZER [ARGS]},
 * words separated by spaces or tabs, {@code #} starting a comment line. Every rule whose glob matches a
 * regular file applies, in the file's order. The rules' {@link #id} names them in every normalized id.
 */
public final class NormalizationRules {
    /** One line of the file. */
    public record Rule(Glob glob, Normalizer normalizer) {
        String spelling() {
            return glob + " " + normalizer.spelling();
        }
    }

    private final List<Rule> rules;
    private final String id;

    private NormalizationRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.id = digest(rules);
    }

    /** Parses a rules file; a bad line is an IllegalArgumentException naming its line number. */
    public static NormalizationRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                rules.add(rule(line.split("[ \t]+")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("normalize rules, line " + (n + 1) + ": " + e.getMessage());
            }
        }
        if (rules.isEmpty()) throw new IllegalArgumentException("normalize rules: no rule in the file");
        return new NormalizationRules(rules);
    }

    private static Rule rule(String[] w) {
        if (w.length < 2) throw new IllegalArgumentException("a rule is GLOB NORMALIZER [ARGS]");
        Glob glob = new Glob(w[0]);
        Normalizer n = switch (w[1]) {
            case "module-signature" -> {
                noArguments(w);
                yield new ModuleSignatureNormalizer();
            }
            case "zip-timestamps" -> {
                noArguments(w);
                yield new ZipTimestampsNormalizer();
            }
            case "byte-range" -> {
                if (w.length != 3) throw new IllegalArgumentException("byte-range takes OFF:LEN");
                yield ByteRangeNormalizer.parse(w[2]);
            }
            case "text-regex" -> {
                if (w.length < 3 || w.length > 4) {
                    throw new IllegalArgumentException("text-regex takes REGEX [REPLACEMENT]");
                }
                yield new TextRegexNormalizer(w[2], w.length == 4 ? w[3] : "");
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown normalizer '" + w[1] + "' (module-signature, zip-timestamps, byte-range, text-regex)");
        };
        return new Rule(glob, n);
    }

    private static void noArguments(String[] w) {
        if (w.length > 2) throw new IllegalArgumentException(w[1] + " takes no arguments");
    }

    /** The normalizers for a regular file at {@code path}, in the rules' order; empty when none. */
    public List<Normalizer> forPath(TreePath path) {
        List<Normalizer> out = new ArrayList<>(1);
        for (Rule r : rules) {
            if (r.glob().matches(path)) out.add(r.normalizer());
        }
        return out;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rules in their canonical spelling, one per line (what {@link #id} hashes). */
    public String canonical() {
        StringBuilder b = new StringBuilder();
        for (Rule r : rules) b.append(r.spelling()).append('\n');
        return b.toString();
    }

    /**
     * Names the rules: the first 16 hex digits of the SHA-256 of {@link #canonical}, so two files that say
     * the same rules (comments, spacing aside) have one id, and a normalized id can say which rules made it.
     */
    public String id() {
        return id;
    }

    private static String digest(List<Rule> rules) {
        StringBuilder b = new StringBuilder();
        for (Rule r : rules) b.append(r.spelling()).append('\n');
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
