package io.txfs.core.model;

import io.txfs.sys.Errno;
import java.util.List;

/**
 * A flush that could not write the published state faithfully (SPEC "Flush is faithful"): the backing
 * directory refused something (an xattr too large, an owner, a time it cannot hold...). Nothing was
 * changed in the backing directory and the published state stays pending; each problem names its path.
 */
public final class FlushRefusedException extends FsException {
    /** One thing the backing directory cannot hold: the published path (as text) and why. */
    public record Problem(String path, String reason) {
        @Override
        public String toString() {
            return path + ": " + reason;
        }
    }

    private final List<Problem> problems;

    public FlushRefusedException(long version, List<Problem> problems) {
        super(
                Errno.EIO,
                "flush of version " + version + " refused, the backing directory is unchanged and the"
                        + " published state stays pending: " + summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String summary(List<Problem> problems) {
        StringBuilder s = new StringBuilder();
        for (Problem p : problems) {
            if (s.length() > 0) s.append("; ");
            s.append(p);
        }
        return s.toString();
    }
}
