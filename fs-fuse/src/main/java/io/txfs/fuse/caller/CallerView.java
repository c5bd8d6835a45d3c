package io.txfs.fuse.caller;

/** Where a caller's request goes: a named view, or the mount's default for the caller's session. */
public sealed interface CallerView {
    /** The caller or an ancestor entered {@code name}. */
    record Named(String name) implements CallerView {}

    /**
     * No registered ancestor: the mount's default policy applies, per Linux session {@code sid}; {@code pid}
     * is the caller's process, {@code ppid} its parent.
     */
    record Unregistered(int sid, int pid, int ppid) implements CallerView {}
}
