package io.txfs.core.inspect;

/** A source seen from one of its directories: paths are relative to {@code root}. */
final class SubtreeSource extends ForwardingTreeSource {
    private final TreePath root;

    SubtreeSource(TreeSource inner, TreePath root) {
        super(inner);
        this.root = root;
    }

    @Override
    protected TreePath at(TreePath p) {
        TreePath out = root;
        for (Name n : p.names()) {
            out = out.resolve(n);
        }
        return out;
    }
}
