package io.txfs.fuse.control;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.fuse.RequestContext;

/** Carries out a parsed control command for a caller; the daemon's glue implements it over the engine. */
public interface ControlHandler {
    ControlReply handle(RequestContext caller, ControlCommand command) throws ControlRefusal;
}
