package io.txfs.fuse.caller;

/** The process asked about has exited (or never was): its view cannot be told. */
public final class NoSuchProcessException extends Exception {
    private static final long serialVersionUID = 1L;

    public NoSuchProcessException(int pid) {
        super("no process " + pid);
    }
}
