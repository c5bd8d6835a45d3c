package io.txfs.core;

import io.txfs.core.store.Batch;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One operation on one view: the version it reads, the layer it writes, and its changes so far (read
 * back by later steps of the same operation before they go to the store in one batch).
 */
final class Ctx {
    final View view;
    final long snap;
    final long layer;
    /** Set by mkdir, rmdir and rename: some directory may have gained or lost a subdirectory (DirLinks). */
    boolean dirShapeChanged;
    final Batch batch = new Batch();
    final Map<Long, NodeRecord> nodes = new LinkedHashMap<>();
    final Map<Link, Dent> dents = new LinkedHashMap<>();
    final Set<ByteBuffer> keys = new HashSet<>();
    long bytes;

    Ctx(View view, long snap) {
        this.view = view;
        this.snap = snap;
        this.layer = view.layer;
    }
}
