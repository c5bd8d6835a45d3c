package io.txfs.core.inspect.engine;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.model.DeltaEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Version tokens for one diff of a view against its base, taken from the engine's own pending delta:
 * a path that neither changed, nor lies above or below a changed path, gets a token equal on both
 * sides, so {@code DeltaComputer} skips it unread. Without this a canonical delta walks both whole
 * trees (the engine has no per-subtree version). Tokens are tied to one {@link Scope}, never reused
 * by another, so they cannot alias in a hash cache.
 *
 * <p>The engine lists a hard-linked file under the path that was changed only, while the link count of
 * its other names changed too; so when any changed path is a file with more than one link on either
 * side, the scope gives no tokens at all (a full walk).
 *
 * <p>The engine's paths are Java strings (non-UTF-8 bytes decoded lossily); paths here are compared
 * in that same lossy form, which can only make more paths count as changed, never fewer.
 */
public final class PendingScopeTreeSource extends ForwardingTreeSource {
    private final Scope scope;

    private PendingScopeTreeSource(TreeSource inner, Scope scope) {
        super(inner);
        this.scope = scope;
    }

    /** The changed paths of one pending delta; wrap both sides of the diff with the same scope. */
    public static final class Scope {
        private final Set<String> changed = new HashSet<>();
        private final Set<String> aboveChanged = new HashSet<>();
        private boolean everything;

        /** The scope of {@code pending}, the engine's pending delta that turns {@code before} into {@code after}. */
        public static Scope of(List<DeltaEntry> pending, TreeSource before, TreeSource after) throws IOException {
            Scope s = new Scope(pending);
            for (String p : s.changed) {
                if (p.isEmpty() || s.everything) {
                    continue;
                }
                s.everything = multiplyLinked(before, p) || multiplyLinked(after, p);
            }
            return s;
        }

        private static boolean multiplyLinked(TreeSource t, String p) throws IOException {
            if (p.indexOf('\uFFFD') >= 0) {
                return true; // a lossily decoded name cannot be looked up: do not guess
            }
            try {
                EntryStat st = t.stat(TreePath.of(p));
                return st.kind() != EntryKind.DIRECTORY && st.nlink() > 1;
            } catch (NoSuchFileException e) {
                return false;
            } catch (IllegalArgumentException e) {
                // a lossily decoded name cannot be looked up: do not guess
                return true;
            }
        }

        private Scope(List<DeltaEntry> pending) {
            for (DeltaEntry d : pending) {
                String p = d.path().startsWith("/") ? d.path().substring(1) : d.path();
                changed.add(p);
                for (int i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
                    aboveChanged.add(p.substring(0, i));
                }
                aboveChanged.add("");
            }
        }

        public TreeSource wrap(TreeSource source) {
            return new PendingScopeTreeSource(source, this);
        }

        boolean untouched(String p) {
            if (everything || changed.contains(p) || aboveChanged.contains(p)) {
                return false;
            }
            for (int i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
                if (changed.contains(p.substring(0, i))) {
                    return false;
                }
            }
            return true;
        }
    }

    private record Token(Scope scope, String path) {}

    @Override
    public Optional<Object> version(TreePath path) throws IOException {
        String p = new String(path.bytes(), StandardCharsets.UTF_8);
        return scope.untouched(p) ? Optional.of(new Token(scope, p)) : Optional.empty();
    }
}
