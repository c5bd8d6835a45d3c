package io.txfs.core;

/**
 * Directory link counts as ext4 reports them: 2 ("." and the parent's entry) + one per subdirectory
 * (its ".."). Computed from the entries the view sees rather than stored: a stored count would be a
 * field every mkdir/rmdir/rename of a subdirectory changes on the parent, so two views adding
 * different subdirectories to one directory would both change it and conflict at publish (or need a
 * delta merge that force and renames make fragile). The stored nlink of a directory stays 1 (alive)
 * or 0 (removed). Cost: a getattr of a directory reads its entries, O(entries), like a readdir.
 */
final class DirLinks {
    private DirLinks() {}

    static int nlink(Engine e, Ctx c, long id, NodeRecord r) {
        if (r.nlink == 0 && id != Engine.ROOT) return 0; // removed, still open somewhere
        e.ensureImported(id, r);
        int n = 2;
        for (Dent d : e.entries(c, id).values()) if (d.type() == FileType.DIRECTORY) n++;
        return n;
    }
}
