package io.txfs.core.inspect.engine;

import io.txfs.core.Engine;
import io.txfs.core.ViewDiff;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.model.FsException;
import io.txfs.core.tree.View;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Sources with version tokens that make repeated hashing and diffing incremental: a published version
 * never changes, and the engine records when each subtree last changed ({@link Engine#subtreeChangedAt}),
 * so an entry of version S is named by (node, the version its subtree last changed at or before S) —
 * equal in every version until the subtree changes again (docs/inspection.md, "Version tokens across
 * versions"). Versions older than the engine's marks fall back to (S, path). A view is read as its base
 * wherever the engine's pending delta does not touch it ({@link PendingScopeTreeSource.Scope}), with
 * those same tokens, and as itself elsewhere, without tokens. So a hash cache shared by the hashes of
 * one engine reuses every untouched subtree: after one change in a view or one publish, only the
 * changed path and its ancestors are read again.
 *
 * <p>Tokened entries are always read from the immutable base, never from the view, so a write to the
 * view during a hash cannot put a wrong hash under a token. Such a hash mixes the view's state before
 * and after that write, as any read of a changing tree does.
 *
 * <p>Cached hashes skip every read below a hit, so a cache must only serve callers that may read
 * everything (root); others need sources checked by {@link CallerAccessTreeSource} and a cache of
 * their own.
 */
public final class SnapshotTokenSources {
    private SnapshotTokenSources() {}

    /** An entry of published version {@code version} at {@code path}: for stores without subtree marks. */
    private record Token(long version, TreePath path) {}

    /**
     * Node {@code ino} with everything below it as it was after version {@code changedAt}, the newest
     * version that changed it ({@link Engine#subtreeChangedAt}): equal in every version up to the next
     * change, so hashes are reused across publishes.
     */
    private record SubtreeToken(long ino, long changedAt) {}

    /** The published state, pinned at the version that is newest now. */
    public static TreeSource published(Engine engine) {
        View base = ViewDiff.baseOf(engine, engine.published());
        return new Routed(
                engine,
                new ViewTreeSource(engine, base),
                null,
                null,
                base.info().snapshotVersion());
    }

    /** Published version {@code version} (0 to head; ENOENT otherwise), read-only and immutable. */
    public static TreeSource version(Engine engine, long version) {
        return version(engine, engine.versionView(version));
    }

    /**
     * The version a handle from {@link Engine#versionView} reads. The handle pins its version, and a pin
     * makes every flush preserve old backing content for it: release it (PinnedViews.release) when done.
     */
    public static TreeSource version(Engine engine, View versionView) {
        return new Routed(
                engine,
                new ViewTreeSource(engine, versionView),
                null,
                null,
                versionView.info().snapshotVersion());
    }

    /**
     * View {@code v}: untouched subtrees from its base (with tokens), the rest from the view. A child view's
     * base holds its parent's changes, which no published version's tokens name: it is read without tokens.
     */
    public static TreeSource view(Engine engine, View v) throws IOException {
        if (v.isChild()) return new ViewTreeSource(engine, v);
        View base = ViewDiff.baseOf(engine, v);
        ViewTreeSource before = new ViewTreeSource(engine, base);
        ViewTreeSource after = new ViewTreeSource(engine, v);
        PendingScopeTreeSource.Scope scope = PendingScopeTreeSource.Scope.of(engine.pendingDelta(v), before, after);
        return new Routed(engine, before, after, scope, base.info().snapshotVersion());
    }

    /** Reads a path from the base when it is untouched (or there is no view), else from the view. */
    private static final class Routed implements TreeSource {
        private final Engine engine;
        private final ViewTreeSource base;
        private final TreeSource view;
        private final PendingScopeTreeSource.Scope scope;
        private final long version;

        Routed(Engine engine, ViewTreeSource base, TreeSource view, PendingScopeTreeSource.Scope scope, long version) {
            this.engine = engine;
            this.base = base;
            this.view = view;
            this.scope = scope;
            this.version = version;
        }

        private boolean fromBase(TreePath p) {
            return view == null || scope.untouched(new String(p.bytes(), StandardCharsets.UTF_8));
        }

        private TreeSource of(TreePath p) {
            return fromBase(p) ? base : view;
        }

        @Override
        public List<Name> list(TreePath dir) throws IOException {
            return of(dir).list(dir);
        }

        @Override
        public EntryStat stat(TreePath path) throws IOException {
            return of(path).stat(path);
        }

        @Override
        public SortedMap<Name, byte[]> xattrs(TreePath path) throws IOException {
            return of(path).xattrs(path);
        }

        @Override
        public InputStream open(TreePath path) throws IOException {
            return of(path).open(path);
        }

        @Override
        public byte[] readLink(TreePath path) throws IOException {
            return of(path).readLink(path);
        }

        @Override
        public Optional<Object> version(TreePath path) throws IOException {
            if (!fromBase(path)) {
                return Optional.empty();
            }
            // an untouched path names the same node in the view: reuse the view's listing, no lookup
            Long listed = view instanceof ViewTreeSource v ? v.knownNode(path) : null;
            long ino = listed != null ? listed : base.node(path);
            long changedAt;
            try {
                changedAt = engine.subtreeChangedAt(ino, version);
            } catch (FsException e) {
                throw EngineTrees.io(e, path);
            }
            return Optional.of(changedAt < 0 ? new Token(version, path) : new SubtreeToken(ino, changedAt));
        }
    }
}
