package io.txfs.fuse.caller;

/** What the resolver reads about processes; the live one reads /proc, tests give a fake tree. */
public interface ProcessTable {
    ProcStat stat(int pid) throws NoSuchProcessException;

    int threadGroupOf(int tid) throws NoSuchProcessException;

    /** Now, in the unit of {@link ProcStat#startTime()}: clock ticks since boot. */
    long nowTicks();

    /** The live system's table. */
    ProcessTable LIVE = new LiveProcessTable();
}
