package io.txfs.it;

import io.txfs.sys.MountInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts this process sees (MountInfo), as the tests look at them. */
final class MountTable {
    /** One mountinfo line: the fields the tests look at. */
    record Mount(String mountPoint, String fsType, String source, String mountOptions, String superOptions) {
        boolean isFuse() {
            return fsType.equals("fuse") || fsType.startsWith("fuse.");
        }
    }

    private MountTable() {}

    static List<Mount> read() {
        List<MountInfo.Mount> parsed;
        try {
            parsed = MountInfo.self();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Mount> mounts = new ArrayList<>();
        for (MountInfo.Mount m : parsed) {
            mounts.add(new Mount(m.mountPoint(), m.fsType(), m.source(), m.mountOptions(), m.superOptions()));
        }
        return mounts;
    }

    /** The topmost mount at exactly this path, if any. */
    static Optional<Mount> at(Path mountPoint) {
        String wanted = mountPoint.toAbsolutePath().normalize().toString();
        Mount found = null;
        for (Mount mount : read()) {
            if (mount.mountPoint().equals(wanted)) {
                found = mount; // later lines are mounted on top of earlier ones
            }
        }
        return Optional.ofNullable(found);
    }
}
