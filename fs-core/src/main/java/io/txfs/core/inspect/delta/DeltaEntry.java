package io.txfs.core.inspect.delta;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectId;
import io.txfs.core.inspect.TreePath;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One changed path. For {@link ChangeKind#DELETED} only path, change and the old type are set; for
 * every other change the fields describe the entry as it is after the change.
 *
 * @param contentId  git blob id of a file's bytes or a symlink's target; null for other types
 * @param target     a symlink's raw target; null otherwise
 * @param rdev       device number of char/block devices, else 0
 * @param linkTo     for a file sharing its inode with other files of the after tree: the first unchanged
 *                   one if any (outside the delta), else the first one (in the delta, carrying the content)
 * @param mtimeNanos null unless the delta was computed with mtimes
 */
public record DeltaEntry(
        TreePath path,
        ChangeKind change,
        EntryKind type,
        int permissions,
        long uid,
        long gid,
        long size,
        ObjectId contentId,
        byte[] target,
        long rdev,
        SortedMap<Name, byte[]> xattrs,
        TreePath linkTo,
        Long mtimeNanos) {
    public DeltaEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(type, "type");
        xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs == null ? Map.of() : xattrs));
    }

    public static DeltaEntry deleted(TreePath path, EntryKind oldType) {
        return new DeltaEntry(path, ChangeKind.DELETED, oldType, 0, 0, 0, 0, null, null, 0, null, null, null);
    }

    public DeltaEntry withLinkTo(TreePath first) {
        return new DeltaEntry(
                path, change, type, permissions, uid, gid, size, contentId, target, rdev, xattrs, first, mtimeNanos);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeltaEntry e)) {
            return false;
        }
        if (xattrs.size() != e.xattrs.size()) {
            return false;
        }
        for (Map.Entry<Name, byte[]> x : xattrs.entrySet()) {
            if (!Arrays.equals(x.getValue(), e.xattrs.get(x.getKey()))) {
                return false;
            }
        }
        return path.equals(e.path)
                && change == e.change
                && type == e.type
                && permissions == e.permissions
                && uid == e.uid
                && gid == e.gid
                && size == e.size
                && Objects.equals(contentId, e.contentId)
                && Arrays.equals(target, e.target)
                && rdev == e.rdev
                && Objects.equals(linkTo, e.linkTo)
                && Objects.equals(mtimeNanos, e.mtimeNanos);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                path,
                change,
                type,
                permissions,
                uid,
                gid,
                size,
                contentId,
                Arrays.hashCode(target),
                rdev,
                linkTo,
                mtimeNanos);
    }

    @Override
    public String toString() {
        return change.jsonName() + " " + type.jsonName() + " " + path;
    }
}
