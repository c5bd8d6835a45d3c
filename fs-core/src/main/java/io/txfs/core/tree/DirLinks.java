package io.txfs.core.tree;

import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Directory link counts as ext4 reports them: 2 ("." and the parent's entry) + one per subdirectory
 * (its ".."). Computed from the entries the view sees rather than stored: a stored count would be a
 * field every mkdir/rmdir/rename of a subdirectory changes on the parent, so two views adding
 * different subdirectories to one directory would both change it and conflict at publish (or need a
 * delta merge that force and renames make fragile). The stored nlink of a directory stays 1 (alive)
 * or 0 (removed).
 *
 * <p>Counting reads all of a directory's entries, and the mount asks for a directory's attributes
 * after every create in it (and on every lookup through the shared root): uncached, creating n files
 * in one directory cost O(n^2) (measured: minutes for 10,000 files). Counts are therefore cached per
 * (view, layer, version read, directory) and an engine-wide generation that every committed mkdir,
 * rmdir and rename bumps; file creates and unlinks keep them. A publish, abort or refresh gives the
 * view a new layer or version, so it never meets a count of its old state.
 */
public final class DirLinks {
    private static final int BOUND = 65_536;

    private record Key(long view, long layer, long snap, long dir, long generation) {}

    private final AtomicLong generation = new AtomicLong();
    private final ConcurrentHashMap<Key, Integer> counts = new ConcurrentHashMap<>();

    /** A directory may have gained or lost a subdirectory (called after the change is in the store). */
    public void changed() {
        generation.incrementAndGet();
    }

    int nlink(LayeredTree tree, BackingImport imports, ViewOperation c, long id, NodeRecord r) {
        if (r.nlink == 0 && id != EngineConstants.ROOT) return 0; // removed, still open somewhere
        // read before counting: a change committed meanwhile makes this entry one nobody asks for again
        Key k = new Key(c.view.id, c.layer, c.snap, id, generation.get());
        Integer cached = counts.get(k);
        if (cached != null) return cached;
        imports.ensureImported(id, r);
        int n = 2;
        for (EntryValue d : tree.entries(c, id).values()) if (d.type() == FileType.DIRECTORY) n++;
        if (counts.size() >= BOUND) counts.clear();
        counts.put(k, n);
        return n;
    }
}
