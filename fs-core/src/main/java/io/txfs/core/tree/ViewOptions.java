package io.txfs.core.tree;

/**
 * What a view is begun with and keeps for its life (docs/reproducibility.md).
 *
 * @param anonymous made without a name ({@code txfs run} without {@code --view}): it ends once it holds
 *     nothing and no process is in it (docs/views.md, "Views that end")
 * @param mtimeClampNs SOURCE_DATE_EPOCH for its files, in ns; -1 for none ("Deterministic metadata")
 * @param syncs whether its fsyncs make its writes durable; false for a scratch build ({@code --durability
 *     none}): they return at once, and a crash of the machine may lose what it wrote (a killed daemon does not)
 * @param pathInodes whether its processes see inode numbers derived from paths ({@code --inodes path}) instead
 *     of txfs's node numbers: the same tree gives the same numbers in every run ("Deterministic metadata")
 */
public record ViewOptions(boolean anonymous, long mtimeClampNs, boolean syncs, boolean pathInodes) {
    public static final ViewOptions DEFAULT = new ViewOptions(false, -1, true, false);

    public ViewOptions(boolean anonymous, long mtimeClampNs, boolean syncs) {
        this(anonymous, mtimeClampNs, syncs, false);
    }

    public ViewOptions withAnonymous(boolean a) {
        return new ViewOptions(a, mtimeClampNs, syncs, pathInodes);
    }

    public ViewOptions withMtimeClamp(long ns) {
        return new ViewOptions(anonymous, ns, syncs, pathInodes);
    }

    public ViewOptions withSyncs(boolean s) {
        return new ViewOptions(anonymous, mtimeClampNs, s, pathInodes);
    }

    public ViewOptions withPathInodes(boolean p) {
        return new ViewOptions(anonymous, mtimeClampNs, syncs, p);
    }
}
