package io.txfs.it;

import io.txfs.sys.MountInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
        try {
            return MountInfo.self().stream().map(MountTable::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The topmost mount at exactly this path, if any. */
    static Optional<Mount> at(Path mountPoint) {
        try {
            return MountInfo.at(mountPoint).map(MountTable::of);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Mount of(MountInfo.Mount m) {
        return new Mount(m.mountPoint(), m.fsType(), m.source(), m.mountOptions(), m.superOptions());
    }
}
