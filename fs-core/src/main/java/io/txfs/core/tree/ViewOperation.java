package io.txfs.core.tree;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.store.Batch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One operation on one view: the version it reads, the layer it writes, and its changes so far (read
 * back by later steps of the same operation before they go to the store in one batch).
 */
public final class ViewOperation {
    public final View view;
    public final long snap;
    public final long layer;
    /** Set when an entry naming a directory is written: some directory may have gained or lost a subdirectory (DirLinks). */
    public boolean dirShapeChanged;

    public final Batch batch = new Batch();
    public final Map<Long, NodeRecord> nodes = new LinkedHashMap<>();
    public final Map<EntryName, EntryValue> dents = new LinkedHashMap<>();
    public final Set<ByteBuffer> keys = new HashSet<>();
    /** Change of the bytes the view's own layer stores (pendingBytes): chunk bytes added minus removed. */
    public long bytes;
    /** Runs after the batch is in, under the view's lock (e.g. removing a data file no key names any more). */
    public final List<Runnable> afterCommit = new ArrayList<>();

    public ViewOperation(View view, long snap) {
        this.view = view;
        this.snap = snap;
        this.layer = view.layer;
    }
}
