package io.txfs.fuse.view.verbs;

import io.txfs.control.ControlRefusal;
import io.txfs.control.ControlVerb;
import io.txfs.core.inspect.UnrepresentableEntryException;
import io.txfs.core.inspect.access.NotPermittedException;
import io.txfs.core.inspect.oci.LayerRejectedException;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** The refusal of a verb whose reading (or writing) of a tree failed. */
final class Refusals {
    private Refusals() {}

    static ControlRefusal of(ControlVerb verb, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new ControlRefusal(Errno.ENOENT, verb, "no such path: " + e.getMessage());
        }
        if (e instanceof NotPermittedException p) {
            return new ControlRefusal(Errno.EPERM, verb, "not permitted: " + p.getFile() + " (" + p.getReason() + ")");
        }
        if (e instanceof AccessDeniedException a) {
            return new ControlRefusal(
                    Errno.EACCES, verb, "permission denied: " + a.getFile() + " (" + a.getReason() + ")");
        }
        if (e instanceof LayerRejectedException r) {
            return new ControlRefusal(
                    Errno.EINVAL,
                    verb,
                    "layer rejected (" + r.reason() + "): " + e.getMessage() + "; nothing was changed");
        }
        if (e instanceof CallerDescriptor.InsideMountException || e instanceof CallerDescriptor.NotRegularException) {
            return new ControlRefusal(Errno.EINVAL, verb, e.getMessage());
        }
        if (e instanceof UnrepresentableEntryException) {
            return new ControlRefusal(Errno.EINVAL, verb, e.getMessage());
        }
        ControlLog.LOG.error("{}: reading the tree failed", verb.word(), e);
        return new ControlRefusal(Errno.EIO, verb, "reading the tree failed: " + e.getMessage());
    }
}
