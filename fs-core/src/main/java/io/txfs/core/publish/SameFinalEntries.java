package io.txfs.core.publish;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.EntryValue;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.FileType;
import io.txfs.core.tree.Content;
import io.txfs.core.tree.EngineParts;
import io.txfs.core.tree.EngineState;
import io.txfs.core.tree.ViewOperation;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Content-aware conflicts (docs/reproducibility.md, "Identical outputs publish"): a path that another view
 * published since the view's base is no conflict when both end with the same thing there. Two builds that
 * write the same output file both publish; which one's inode stays is the first one's.
 *
 * <p>Alike means: both removed the name; or both hold a non-directory of the same type, permissions,
 * owner, group, device number, symlink target, extended attributes and bytes, each with one name. Times
 * and inode numbers do not count (a build writes them anew each run). Directories never count as alike:
 * each view's new directory is its own node with its own entries, whose merge is {@code publish force}'s.
 */
final class SameFinalEntries {
    /** Contents are compared this many bytes at a time, so any size is compared in bounded memory. */
    private static final int SLICE = 1 << 20;

    private final EngineParts parts;
    private final EngineState state;
    /** The view's entries found alike: the publish keeps head's node there and retires the view's. */
    private final Set<EntryName> alikeEntries = new HashSet<>();

    SameFinalEntries(EngineParts parts) {
        this.parts = parts;
        this.state = parts.state();
    }

    Set<EntryName> alikeEntries() {
        return alikeEntries;
    }

    /** Whether the view's entry (parent, name) and the newest published one end alike; remembers it if so. */
    boolean entry(ViewOperation c, long parent, byte[] name) {
        EntryValue mine = parts.tree().dent(c, parent, name);
        EntryValue theirs = parts.versions().dent(parent, name, state.head());
        boolean mineGone = mine == null || mine.child() == 0;
        boolean theirsGone = theirs == null || theirs.child() == 0;
        boolean alike;
        if (mineGone || theirsGone) {
            alike = mineGone && theirsGone;
        } else if (mine.child() == theirs.child()) {
            alike = false; // one node: whether its record ends alike is the node's own key ('N')
        } else {
            alike = mine.type() == theirs.type()
                    && mine.type() != FileType.DIRECTORY
                    && alike(
                            parts.tree().node(c, mine.child()),
                            mine.child(),
                            published(theirs.child()),
                            theirs.child());
        }
        if (alike) alikeEntries.add(new EntryName(parent, name.clone()));
        return alike;
    }

    /** Whether the view's record of node {@code id} and the newest published one end alike. */
    boolean record(ViewOperation c, long id) {
        NodeRecord mine = parts.tree().node(c, id);
        NodeRecord theirs = published(id);
        if (mine == null || theirs == null || mine.isDir() || theirs.isDir()) return false;
        return mine.nlink == theirs.nlink
                && new HashSet<>(mine.links).equals(new HashSet<>(theirs.links))
                && sameAttributes(mine, theirs)
                && sameBytes(mine, id, theirs, id);
    }

    private NodeRecord published(long id) {
        return parts.versions().node(id, state.head());
    }

    private boolean alike(NodeRecord a, long idA, NodeRecord b, long idB) {
        if (a == null || b == null || a.nlink != 1 || b.nlink != 1) return false; // a hard link is more than a path
        return sameAttributes(a, b) && sameBytes(a, idA, b, idB);
    }

    private static boolean sameAttributes(NodeRecord a, NodeRecord b) {
        if (a.type != b.type
                || a.perm != b.perm
                || a.uid != b.uid
                || a.gid != b.gid
                || a.size != b.size
                || a.rdev != b.rdev
                || !Arrays.equals(a.target, b.target)
                || !a.xattrs.keySet().equals(b.xattrs.keySet())) {
            return false;
        }
        for (var en : a.xattrs.entrySet()) {
            if (!Arrays.equals(en.getValue(), b.xattrs.get(en.getKey()))) return false;
        }
        return true;
    }

    private boolean sameBytes(NodeRecord a, long idA, NodeRecord b, long idB) {
        if (a.type != FileType.REGULAR) return true; // a symlink's target, a device's number: compared above
        for (long off = 0; off < a.size; off += SLICE) {
            if (!Arrays.equals(Content.read(state, idA, a, off, SLICE), Content.read(state, idB, b, off, SLICE))) {
                return false;
            }
        }
        return true;
    }
}
