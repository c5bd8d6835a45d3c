package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlCommand;
import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlReply;
import io.txfs.fuse.RequestContext;

/**
 * One control verb. An engine refusal ({@code FsException}) passes through: the dispatcher turns it into
 * the verb's refusal in one place.
 */
public interface VerbHandler {
    ControlReply handle(RequestContext caller, ControlCommand cmd) throws ControlRefusal;
}
