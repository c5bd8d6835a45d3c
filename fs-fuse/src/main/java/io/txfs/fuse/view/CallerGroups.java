package io.txfs.fuse.view;

import io.txfs.fuse.RequestContext;
import io.txfs.fuse.caller.SupplementaryGroups;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The groups a caller's access is checked with, for the control verbs and for clearing set-id bits alike. */
public final class CallerGroups {
    // logged under the control's name, as it was before the verbs moved out of ViewControl
    private static final Logger log = LoggerFactory.getLogger(ViewControl.class);

    private CallerGroups() {}

    /** The caller's primary and supplementary groups (from /proc; the primary only if that fails). */
    public static Set<Long> of(RequestContext caller) {
        Set<Long> out = new HashSet<>();
        out.add(Integer.toUnsignedLong(caller.gid()));
        if (caller.uid() == 0) {
            return out;
        }
        try {
            for (int g : SupplementaryGroups.of(caller.pid(), Integer.MAX_VALUE)) {
                out.add(Integer.toUnsignedLong(g));
            }
        } catch (IOException e) {
            log.info("groups of pid {} unknown ({}); checking with its primary group only", caller.pid(), e.toString());
        }
        return out;
    }
}
