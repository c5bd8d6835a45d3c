package io.txfs.client;

import java.util.OptionalLong;

/**
 * A view to begin: its name and the options fixed at its start. Immutable; each option returns a new spec:
 * {@code ViewSpec.named("compile").isolation(Isolation.READ_COMMITTED).fsyncs(false)}.
 */
public final class ViewSpec {
    private final String name;
    private final Isolation isolation;
    private final boolean fsyncs;
    private final OptionalLong mtimeClamp;
    private final boolean pathInodes;
    private final boolean trace;

    private ViewSpec(
            String name,
            Isolation isolation,
            boolean fsyncs,
            OptionalLong mtimeClamp,
            boolean pathInodes,
            boolean trace) {
        this.name = ViewNames.require(name);
        this.isolation = isolation;
        this.fsyncs = fsyncs;
        this.mtimeClamp = mtimeClamp;
        this.pathInodes = pathInodes;
        this.trace = trace;
    }

    /** A snapshot view of that name, with the daemon's defaults. */
    public static ViewSpec named(String name) {
        return new ViewSpec(name, Isolation.SNAPSHOT, true, OptionalLong.empty(), false, false);
    }

    public String name() {
        return name;
    }

    public ViewSpec isolation(Isolation isolation) {
        return new ViewSpec(name, isolation, fsyncs, mtimeClamp, pathInodes, trace);
    }

    /** {@code false}: the view's fsyncs return at once (durability=none), for scratch work a crash may lose. */
    public ViewSpec fsyncs(boolean fsyncs) {
        return new ViewSpec(name, isolation, fsyncs, mtimeClamp, pathInodes, trace);
    }

    /** Files written in the view get modification times no later than this (SOURCE_DATE_EPOCH). */
    public ViewSpec mtimeClamp(long epochSeconds) {
        if (epochSeconds < 0) {
            throw new IllegalArgumentException("mtime clamp before the epoch: " + epochSeconds);
        }
        return new ViewSpec(name, isolation, fsyncs, OptionalLong.of(epochSeconds), pathInodes, trace);
    }

    /** The view's processes see inode numbers derived from paths, the same in every run. */
    public ViewSpec pathInodes() {
        return new ViewSpec(name, isolation, fsyncs, mtimeClamp, true, trace);
    }

    /** The view records every path read and written (docs/reproducibility.md, "Access traces"). */
    public ViewSpec trace() {
        return new ViewSpec(name, isolation, fsyncs, mtimeClamp, pathInodes, true);
    }

    /**
     * The {@code begin} line. {@code toplevel}, as {@code txfs run} says it: from inside a view, naming an
     * existing view that is not the caller's own or its child is refused instead of working beside it.
     */
    String beginLine() {
        StringBuilder b = new StringBuilder("begin toplevel view=").append(name);
        if (isolation != Isolation.SNAPSHOT) {
            b.append(" isolation=").append(isolation.word());
        }
        if (!fsyncs) {
            b.append(" durability=none");
        }
        mtimeClamp.ifPresent(s -> b.append(" mtime_clamp=").append(s));
        if (pathInodes) {
            b.append(" inodes=path");
        }
        if (trace) {
            b.append(" trace");
        }
        return b.toString();
    }
}
