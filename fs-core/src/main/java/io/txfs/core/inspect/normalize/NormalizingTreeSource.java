package io.txfs.core.inspect.normalize;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A tree whose regular files read as their rules make them: hashing, diffing or exporting through it
 * gives normalized ids, deltas and layers. The size a file shows is its normalized size, so a hasher that
 * checks lengths is satisfied. Paths are matched from this source's root. A file its normalizer cannot
 * read is shown as it is and listed in {@link #notNormalized}.
 */
public final class NormalizingTreeSource extends ForwardingTreeSource {
    /** How many files {@link #notNormalized} names; the count goes on. */
    private static final int LISTED = 100;

    private final NormalizationRules rules;
    private final List<String> notNormalized = Collections.synchronizedList(new ArrayList<>());
    /** The last file normalized: a hasher stats, then opens, the same file. */
    private volatile Normalized last;

    private record Normalized(TreePath path, EntryStat inner, Blob blob) {}

    private record RulesVersion(String rules, Object inner) {}

    public NormalizingTreeSource(TreeSource inner, NormalizationRules rules) {
        super(inner);
        this.rules = rules;
    }

    public NormalizationRules rules() {
        return rules;
    }

    /** "path: why" for files a rule named but its normalizer could not read (at most 100). */
    public List<String> notNormalized() {
        synchronized (notNormalized) {
            return List.copyOf(notNormalized);
        }
    }

    @Override
    public EntryStat stat(TreePath path) throws IOException {
        EntryStat s = inner.stat(path);
        if (s.kind() != EntryKind.FILE) return s;
        Normalized n = normalized(path, s);
        if (n == null || n.blob().size() == s.size()) return s;
        return new EntryStat(
                s.kind(),
                s.permissions(),
                s.uid(),
                s.gid(),
                n.blob().size(),
                s.mtimeNanos(),
                s.rdev(),
                s.nlink(),
                s.inodeKey());
    }

    @Override
    public InputStream open(TreePath path) throws IOException {
        Normalized n = normalized(path, inner.stat(path));
        return n == null ? inner.open(path) : n.blob().open();
    }

    /** Tokens stay valid for caching, but never match a token of the raw tree or of other rules. */
    @Override
    public Optional<Object> version(TreePath path) throws IOException {
        return inner.version(path).map(v -> new RulesVersion(rules.id(), v));
    }

    /** Null when no rule names the file. */
    private Normalized normalized(TreePath path, EntryStat s) throws IOException {
        Normalized l = last;
        if (l != null && l.path().equals(path) && l.inner().equals(s)) return l;
        List<Normalizer> normalizers = rules.forPath(path);
        if (normalizers.isEmpty()) return null;
        Blob raw = new Blob() {
            @Override
            public long size() {
                return s.size();
            }

            @Override
            public InputStream open() throws IOException {
                return inner.open(path);
            }
        };
        Blob b = raw;
        try {
            for (Normalizer n : normalizers) b = n.apply(b);
        } catch (NotNormalizableException e) {
            synchronized (notNormalized) {
                if (notNormalized.size() < LISTED) notNormalized.add(path + ": " + e.getMessage());
            }
            b = raw;
        }
        Normalized n = new Normalized(path, s, b);
        last = n;
        return n;
    }
}
