package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.normalize.NormalizationRules;
import io.txfs.core.inspect.normalize.NormalizingTreeSource;
import io.txfs.sys.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's {@code normalize=} rules (docs/reproducibility.md, "Normalized ids"): the trees it reads
 * are wrapped so files read as the rules make them, and the reply names the rules that made its ids.
 */
final class Normalization {
    private final NormalizationRules rules;
    private final List<NormalizingTreeSource> sources = new ArrayList<>();

    private Normalization(NormalizationRules rules) {
        this.rules = rules;
    }

    /** The command's rules; none (every tree as it is) without {@code normalize=}. */
    static Normalization of(ControlCommand cmd) throws ControlRefusal {
        if (cmd.normalize().isEmpty()) return new Normalization(null);
        try {
            return new Normalization(NormalizationRules.parse(cmd.normalize().get()));
        } catch (IllegalArgumentException e) {
            throw new ControlRefusal(Errno.EINVAL, cmd.verb(), e.getMessage());
        }
    }

    /** {@code source} as the rules make it read. Wrap the caller-checked source: reads stay the caller's. */
    TreeSource wrap(TreeSource source) {
        if (rules == null) return source;
        NormalizingTreeSource n = new NormalizingTreeSource(source, rules);
        sources.add(n);
        return n;
    }

    /** The rules' id, or null without rules. */
    String rulesId() {
        return rules == null ? null : rules.id();
    }

    /**
     * Says in {@code reply} which rules made its ids ({@code normalized_by}: the rules' id; {@code rules}:
     * their canonical text) and which files a rule named but could not read ({@code not_normalized}).
     */
    ControlReply describe(ControlReply reply) {
        if (rules == null) return reply;
        List<String> skipped = new ArrayList<>();
        for (NormalizingTreeSource s : sources) skipped.addAll(s.notNormalized());
        return reply.put("normalized_by", rules.id())
                .put("rules", rules.canonical())
                .putStrings("not_normalized", skipped);
    }
}
