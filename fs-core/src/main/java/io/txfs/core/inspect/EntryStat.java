package io.txfs.core.inspect;

import java.util.Objects;

/**
 * What lstat says about one entry.
 *
 * @param permissions the low 12 mode bits (rwx, setuid, setgid, sticky)
 * @param rdev        device number of char/block devices, else 0
 * @param inodeKey    identifies the inode within one source, so hard links share it; equals/hashCode
 *                    must be value-based
 */
public record EntryStat(
        EntryKind kind,
        int permissions,
        long uid,
        long gid,
        long size,
        long mtimeNanos,
        long rdev,
        long nlink,
        Object inodeKey) {
    public EntryStat {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(inodeKey, "inodeKey");
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permissions beyond 07777: " + Integer.toOctalString(permissions));
        }
    }

    /** The full st_mode: type bits and permissions. */
    public int mode() {
        return kind.formatBits() | permissions;
    }
}
