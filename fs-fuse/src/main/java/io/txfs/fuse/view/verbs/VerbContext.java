package io.txfs.fuse.view.verbs;

import io.txfs.core.Engine;
import io.txfs.core.inspect.HashCache;
import io.txfs.core.inspect.engine.DeltaIdLog;
import io.txfs.fuse.RequestCounts;
import io.txfs.fuse.view.DaemonMemory;
import io.txfs.fuse.view.KernelInvalidator;
import io.txfs.fuse.view.MountAdministrators;
import io.txfs.fuse.view.Views;
import java.nio.file.Path;

/** What the control verbs of one mount share: the engine, its views, and the state the verbs keep between calls. */
public final class VerbContext {
    private static final int HASH_CACHE_ENTRIES = 300_000;

    private final Engine engine;
    private final Views views;
    private final KernelInvalidator invalidator;
    /** Subtree hashes of published versions, keyed by subtree version tokens: see SnapshotTokenSources. */
    private final HashCache hashCache = new HashCache(HASH_CACHE_ENTRIES);
    /** The backing directory as the daemon reaches it (never through its own mount); null: not offered. */
    private final Path backing;
    /** The mount's request counters (the {@code stats} verb); null when not counted. */
    private final RequestCounts requestCounts;

    private final VersionControl versions;
    private final MountAdministrators administrators;
    private final DaemonMemory memory;
    /** Held by begin and prune, so that a view found orphaned gets no new process before it is removed. */
    private final Object membership = new Object();

    /**
     * {@code views} null: a control over the engine alone (tests), without default views. {@code ids}: the
     * delta ids of the log (null: the log shows them as pending). {@code memory}: what {@code stats} reports
     * of the daemon's memory budget.
     */
    public VerbContext(
            Engine engine,
            Views views,
            KernelInvalidator invalidator,
            Path backing,
            RequestCounts requestCounts,
            DeltaIdLog ids,
            MountAdministrators administrators,
            DaemonMemory memory) {
        this.memory = memory;
        this.administrators = administrators;
        this.engine = engine;
        this.views = views;
        this.invalidator = invalidator;
        this.backing = backing;
        this.requestCounts = requestCounts;
        this.versions = new VersionControl(engine, ids);
    }

    Engine engine() {
        return engine;
    }

    Views views() {
        return views;
    }

    KernelInvalidator invalidator() {
        return invalidator;
    }

    HashCache hashCache() {
        return hashCache;
    }

    Path backing() {
        return backing;
    }

    RequestCounts requestCounts() {
        return requestCounts;
    }

    VersionControl versions() {
        return versions;
    }

    MountAdministrators administrators() {
        return administrators;
    }

    DaemonMemory memory() {
        return memory;
    }

    Object membership() {
        return membership;
    }
}
