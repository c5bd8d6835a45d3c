package io.txfs.core.inspect;

import java.util.Objects;

/**
 * Which id to compute.
 *
 * @param extended false: git's tree id; true: txfs's extended id (ownership, xattrs, devices,
 *                 hard links, empty directories)
 * @param mtimes   extended only: whether modification times count
 */
public record TreeIdOptions(ObjectFormat format, boolean extended, boolean mtimes) {
    public TreeIdOptions {
        Objects.requireNonNull(format, "format");
        if (mtimes && !extended) {
            throw new IllegalArgumentException("mtimes only count in the extended id");
        }
    }

    public static TreeIdOptions git(ObjectFormat format) {
        return new TreeIdOptions(format, false, false);
    }

    public static TreeIdOptions extended(ObjectFormat format, boolean mtimes) {
        return new TreeIdOptions(format, true, mtimes);
    }
}
