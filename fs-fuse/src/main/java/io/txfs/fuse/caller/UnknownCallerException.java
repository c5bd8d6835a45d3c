package io.txfs.fuse.caller;

/**
 * The kernel named no caller we can see (pid 0: the caller lives outside the daemon's pid namespace,
 * or the request is the kernel's own), or the caller vanished mid-request. Such requests are refused,
 * never routed to a guessed view.
 */
public final class UnknownCallerException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnknownCallerException(String message) {
        super(message);
    }
}
