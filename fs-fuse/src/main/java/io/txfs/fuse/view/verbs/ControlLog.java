package io.txfs.fuse.view.verbs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The logger of the control verbs. */
final class ControlLog {
    // by name: the daemon's log shows the verbs' lines under "ViewControl", as before they had a class each
    static final Logger LOG = LoggerFactory.getLogger("io.txfs.fuse.view.ViewControl");

    private ControlLog() {}
}
