package io.txfs.core.backing;

import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.FileType;
import io.txfs.sys.Errno;
import io.txfs.sys.LibC;
import io.txfs.sys.RawPaths;
import io.txfs.sys.Sys;
import io.txfs.sys.Xattrs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sets a node's metadata on a backing object by path (a BackingDir.Entry: no symlink followed on its
 * directories), without following a symlink on the object itself and without ever opening the object: open() blocks on a FIFO nobody writes, fails (ENXIO) or acts on a device, and
 * cannot reach a symlink. Calls: lchown, l*xattr, fchmodat and utimensat with AT_SYMLINK_NOFOLLOW.
 *
 * Order matters: chown clears set-uid/set-gid and file capabilities, so the owner goes first, then the
 * xattrs, then the mode; the times go last because every other change may touch them (ctime aside).
 */
public final class BackingMeta {
    /** A call the backing filesystem refused: the call, what it was about, and strerror. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String what, int errno) {
            super(what + ": " + LibC.describe(errno));
        }
    }

    private final LibC libc = LibC.INSTANCE;

    /**
     * Makes the object en hold r's owner, xattrs, mode and times, changing only what differs.
     * Xattrs removed: user.* names r does not have, and {@code drop} (other names the object had from txfs).
     * Returns the object's inode number.
     */
    public long apply(NodeRecord r, BackingDir.Entry en, Collection<String> drop) throws IOException {
        byte[] c = en.cPath;
        Map<String, Object> a = Backing.lstat(en.path);
        boolean chowned = false;
        if ((Integer) a.get("uid") != r.uid || (Integer) a.get("gid") != r.gid) {
            if (libc.lchown(c, r.uid, r.gid) != 0) throw new Refused("chown to " + r.uid + ":" + r.gid, LibC.errno());
            chowned = true;
        }
        if (r.type == FileType.REGULAR || r.type == FileType.DIRECTORY || !r.xattrs.isEmpty() || !drop.isEmpty()) {
            xattrs(r, c, drop);
        }
        if (r.type != FileType.SYMLINK && (chowned || ((Integer) a.get("mode") & 07777) != r.perm)) {
            if (libc.fchmodat(Sys.AT_FDCWD, c, r.perm, Sys.AT_SYMLINK_NOFOLLOW) != 0) {
                throw new Refused("chmod " + octal(r.perm), LibC.errno());
            }
        }
        if (Backing.ns(a.get("lastModifiedTime")) != r.mtime || Backing.ns(a.get("lastAccessTime")) != r.atime) {
            long[] times = {
                Math.floorDiv(r.atime, 1_000_000_000L),
                Math.floorMod(r.atime, 1_000_000_000L),
                Math.floorDiv(r.mtime, 1_000_000_000L),
                Math.floorMod(r.mtime, 1_000_000_000L)
            };
            if (libc.utimensat(Sys.AT_FDCWD, c, times, Sys.AT_SYMLINK_NOFOLLOW) != 0) {
                throw new Refused("set times (mtime " + r.mtime + " ns)", LibC.errno());
            }
        }
        return (Long) a.get("ino");
    }

    private void xattrs(NodeRecord r, byte[] c, Collection<String> drop) throws IOException {
        Map<String, byte[]> have = new HashMap<>();
        for (Xattrs.Xattr x : Xattrs.list(c)) {
            have.put(new String(x.name(), StandardCharsets.UTF_8), x.value());
        }
        for (String n : have.keySet()) {
            if (!r.xattrs.containsKey(n) && (n.startsWith("user.") || drop.contains(n))) {
                if (libc.lremovexattr(c, name(n)) != 0 && LibC.errno() != Errno.ENODATA.code()) {
                    throw new Refused("remove xattr " + n, LibC.errno());
                }
            }
        }
        for (var x : r.xattrs.entrySet()) {
            byte[] v = x.getValue();
            if (Arrays.equals(have.get(x.getKey()), v)) continue;
            if (libc.lsetxattr(c, name(x.getKey()), v, v.length, 0) != 0) {
                throw new Refused("xattr " + x.getKey() + " (" + v.length + " bytes)", LibC.errno());
            }
        }
    }

    /**
     * What the object en holds differently from r (empty: everything r says landed), read back with
     * lstat and lgetxattr: a filesystem may take a call and still keep less (coarser times, dropped bits).
     * Content is not compared: writing it fails loudly by itself.
     */
    public List<String> differences(NodeRecord r, BackingDir.Entry en) throws IOException {
        Map<String, Object> a = Backing.lstat(en.path);
        List<String> out = new ArrayList<>();
        int mode = (Integer) a.get("mode");
        if (FileType.fromMode(mode) != r.type) out.add("type " + FileType.fromMode(mode) + " instead of " + r.type);
        if (r.type != FileType.SYMLINK && (mode & 07777) != r.perm) {
            out.add("mode kept as " + octal(mode & 07777) + " instead of " + octal(r.perm));
        }
        if ((Integer) a.get("uid") != r.uid || (Integer) a.get("gid") != r.gid) {
            out.add("owner kept as " + a.get("uid") + ":" + a.get("gid") + " instead of " + r.uid + ":" + r.gid);
        }
        long mtime = Backing.ns(a.get("lastModifiedTime"));
        if (mtime != r.mtime)
            out.add("mtime kept as " + mtime + " ns instead of " + r.mtime + " (the filesystem's time granularity?)");
        long atime = Backing.ns(a.get("lastAccessTime"));
        if (atime != r.atime) out.add("atime kept as " + atime + " ns instead of " + r.atime);
        if ((r.type == FileType.CHAR_DEVICE || r.type == FileType.BLOCK_DEVICE) && (Long) a.get("rdev") != r.rdev) {
            out.add("rdev kept as " + a.get("rdev") + " instead of " + r.rdev);
        }
        if (!r.xattrs.isEmpty()) {
            Map<String, byte[]> have = new HashMap<>();
            for (Xattrs.Xattr x : Xattrs.list(en.cPath)) {
                have.put(new String(x.name(), StandardCharsets.UTF_8), x.value());
            }
            for (var x : r.xattrs.entrySet()) {
                if (!Arrays.equals(have.get(x.getKey()), x.getValue())) out.add("xattr " + x.getKey() + " not kept");
            }
        }
        return out;
    }

    /**
     * What decides whether a filesystem keeps r's metadata faithfully, so one read-back answers for every
     * node with the same signature (a flush of 10,000 files with the same mode and owner verifies once):
     * type, mode, owner, rdev, the xattrs, and per time the precision it needs (whole seconds, ms, µs,
     * ns; a coarse filesystem keeps the first and not the rest) or, outside 0..2^31 s, the time itself.
     */
    public static String signature(NodeRecord r) {
        StringBuilder s = new StringBuilder()
                .append(r.type)
                .append(' ')
                .append(r.perm)
                .append(' ')
                .append(r.uid)
                .append(':')
                .append(r.gid)
                .append(' ')
                .append(r.rdev)
                .append(' ')
                .append(timeClass(r.mtime))
                .append(' ')
                .append(timeClass(r.atime));
        for (var x : new TreeMap<>(r.xattrs).entrySet()) {
            s.append(' ')
                    .append(x.getKey())
                    .append('=')
                    .append(Arrays.hashCode(x.getValue()))
                    .append('/')
                    .append(x.getValue().length);
        }
        return s.toString();
    }

    private static String timeClass(long ns) {
        long sec = Math.floorDiv(ns, 1_000_000_000L);
        long frac = Math.floorMod(ns, 1_000_000_000L);
        if (sec < 0 || sec >= (1L << 31)) return Long.toString(ns);
        if (frac == 0) return "s" + (sec & 1); // FAT keeps even seconds only
        return frac % 1_000_000 == 0 ? "ms" : frac % 1000 == 0 ? "us" : "ns";
    }

    private static byte[] name(String xattr) {
        return RawPaths.cString(xattr.getBytes(StandardCharsets.UTF_8));
    }

    private static String octal(int perm) {
        return String.format("%04o", perm);
    }
}
