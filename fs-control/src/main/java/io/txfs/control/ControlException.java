package io.txfs.control;

import com.fasterxml.jackson.databind.JsonNode;

/** A control command the daemon refused: the errno its write failed with, and the reply that explains it. */
public final class ControlException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String errno;
    private final transient JsonNode reply;

    public ControlException(String errno, String message, JsonNode reply) {
        super(message);
        this.errno = errno;
        this.reply = reply;
    }

    /** The errno name, e.g. {@code EBUSY} for a publish conflict. */
    public String errno() {
        return errno;
    }

    /** The daemon's JSON reply, or null if none could be read. */
    public JsonNode reply() {
        return reply;
    }
}
