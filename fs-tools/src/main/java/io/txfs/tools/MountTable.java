package io.txfs.tools;

import io.txfs.sys.MountInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Is something mounted at a path, and of which filesystem type (MountInfo, as a user-facing error). */
final class MountTable {
    private MountTable() {}

    /** The filesystem type of the topmost mount exactly at {@code mountpoint}, if any. */
    static Optional<String> typeAt(Path mountpoint) {
        return topmostAt(mountpoint).map(MountInfo.Mount::fsType);
    }

    static boolean isFuseMountAt(Path mountpoint) {
        return topmostAt(mountpoint).map(MountInfo.Mount::isFuse).orElse(false);
    }

    /** The FUSE mount exactly at {@code mountpoint}, topmost, if that is one. */
    static Optional<MountInfo.Mount> fuseMountAt(Path mountpoint) {
        return topmostAt(mountpoint).filter(MountInfo.Mount::isFuse);
    }

    private static Optional<MountInfo.Mount> topmostAt(Path mountpoint) {
        try {
            return MountInfo.at(mountpoint);
        } catch (IOException e) {
            throw new UserFacingException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }
}
