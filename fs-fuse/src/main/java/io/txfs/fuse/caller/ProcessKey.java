package io.txfs.fuse.caller;

/** One process for the life of the system: a pid alone is reused, a pid with its start time is not. */
public record ProcessKey(int pid, long startTime) {
    @Override
    public String toString() {
        return pid + "@" + startTime;
    }
}
