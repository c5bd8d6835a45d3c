package io.txfs.fuse.view;

/** What a process with no registered ancestor works in (SPEC: option --default-view). */
public enum DefaultView {
    /** All processes of one Linux session share a view; until its first write it reads the published state. */
    SESSION,
    /** Reads and writes go to the published state, each operation published on its own. */
    SHARED
}
