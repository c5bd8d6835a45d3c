package io.txfs.control;

import io.txfs.sys.Errno;

/** A command that was understood and refused: the errno the write fails with and the reply that explains it. */
public final class ControlRefusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final Errno errno;
    private final transient ControlReply reply;

    public ControlRefusal(Errno errno, ControlVerb verb, String message) {
        this(errno, ControlReply.error(verb, errno.name(), message));
    }

    public ControlRefusal(Errno errno, ControlReply reply) {
        super(errno.name());
        this.errno = errno;
        this.reply = reply;
    }

    public Errno errno() {
        return errno;
    }

    public ControlReply reply() {
        return reply;
    }
}
