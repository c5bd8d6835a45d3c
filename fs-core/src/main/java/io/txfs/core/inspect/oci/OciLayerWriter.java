package io.txfs.core.inspect.oci;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.UnrepresentableEntryException;
import io.txfs.core.inspect.delta.ChangeKind;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a delta as an OCI image layer (uncompressed tar): changed entries with their content,
 * {@code .wh.NAME} for deletions, {@code .wh..wh..opq} for a directory whose old entries all went.
 * Deterministic: entries in path-byte order, fixed mtime unless kept, numeric ids without names,
 * PAX for long names, big numbers and xattrs. See docs/inspection.md.
 */
public final class OciLayerWriter {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";

    /**
     * @param keepMtimes        write each entry's mtime (needs a delta computed with mtimes)
     * @param fixedMtimeSeconds the mtime of every entry otherwise
     */
    public record Options(boolean keepMtimes, long fixedMtimeSeconds) {
        public static Options defaults() {
            return new Options(false, 0);
        }
    }

    private final Options options;

    public OciLayerWriter(Options options) {
        this.options = options;
    }

    private record Item(String name, DeltaEntry entry, boolean whiteout) {
    }

    /**
     * Writes {@code delta} (from {@code before} to {@code after}); file contents are read from
     * {@code after}, {@code before} is listed only to find wholesale-replaced directories.
     */
    public void write(Delta delta, TreeSource before, TreeSource after, OutputStream out) throws IOException {
        if (options.keepMtimes && !delta.mtimes()) {
            throw new IllegalArgumentException("keepMtimes needs a delta computed with mtimes");
        }
        List<Item> items = plan(delta, before);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new PaxOwnerScrubber(new NonClosing(out)), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        for (Item item : items) {
            writeItem(tar, item, after);
        }
        tar.finish();
        tar.close();
    }

    private List<Item> plan(Delta delta, TreeSource before) throws IOException {
        Map<TreePath, Integer> deletedChildren = new HashMap<>();
        Set<TreePath> changedType = new HashSet<>();
        for (DeltaEntry e : delta.entries()) {
            requireRepresentable(e);
            if (e.change() == ChangeKind.DELETED) {
                deletedChildren.merge(e.path().parent(), 1, Integer::sum);
            }
            if (e.change() == ChangeKind.TYPE_CHANGED || e.change() == ChangeKind.ADDED) {
                changedType.add(e.path());
            }
        }
        Set<TreePath> opaque = new HashSet<>();
        for (Map.Entry<TreePath, Integer> d : deletedChildren.entrySet()) {
            TreePath dir = d.getKey();
            if (d.getValue() > 1 && !changedType.contains(dir) && before.list(dir).size() == d.getValue()) {
                opaque.add(dir);
            }
        }
        List<Item> items = new ArrayList<>();
        for (DeltaEntry e : delta.entries()) {
            if (e.change() != ChangeKind.DELETED) {
                items.add(new Item(tarName(e.path(), e.type() == EntryKind.DIRECTORY), e, false));
            } else if (!opaque.contains(e.path().parent())) {
                items.add(new Item(child(e.path().parent(), WHITEOUT_PREFIX + utf8(e.path().name().bytes(), e.path())),
                        e, true));
            }
        }
        for (TreePath dir : opaque) {
            items.add(new Item(child(dir, OPAQUE), null, true));
        }
        items.sort((a, b) -> java.util.Arrays.compareUnsigned(stripSlash(a.name), stripSlash(b.name)));
        return items;
    }

    private static byte[] stripSlash(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return n.getBytes(StandardCharsets.UTF_8);
    }

    private void writeItem(TarArchiveOutputStream tar, Item item, TreeSource after) throws IOException {
        DeltaEntry e = item.entry;
        if (item.whiteout) {
            TarArchiveEntry t = header(item.name, TarConstants.LF_NORMAL);
            t.setMode(0644);
            tar.putArchiveEntry(t);
            tar.closeArchiveEntry();
            return;
        }
        byte flag;
        if (e.type() == EntryKind.FILE && e.linkTo() != null) {
            flag = TarConstants.LF_LINK;
        } else {
            flag = switch (e.type()) {
                case FILE -> TarConstants.LF_NORMAL;
                case DIRECTORY -> TarConstants.LF_DIR;
                case SYMLINK -> TarConstants.LF_SYMLINK;
                case FIFO -> TarConstants.LF_FIFO;
                case CHAR_DEVICE -> TarConstants.LF_CHR;
                case BLOCK_DEVICE -> TarConstants.LF_BLK;
                default -> throw new UnrepresentableEntryException(e.path(), "sockets cannot go into a tar");
            };
        }
        TarArchiveEntry t = header(item.name, flag);
        t.setMode(e.permissions());
        t.setUserId(e.uid());
        t.setGroupId(e.gid());
        if (options.keepMtimes) {
            t.setLastModifiedTime(FileTime.from(e.mtimeNanos(), TimeUnit.NANOSECONDS));
        }
        if (flag == TarConstants.LF_LINK) {
            t.setLinkName(utf8(e.linkTo().bytes(), e.path()));
        } else if (flag == TarConstants.LF_SYMLINK) {
            t.setLinkName(utf8(e.target(), e.path()));
        } else if (e.type().isDevice()) {
            t.setDevMajor((int) major(e.rdev()));
            t.setDevMinor((int) minor(e.rdev()));
        }
        for (Map.Entry<Name, byte[]> x : e.xattrs().entrySet()) {
            String name = utf8(x.getKey().bytes(), e.path());
            String value = Name.Bytes.utf8OrNull(x.getValue());
            if (value != null) {
                t.addPaxHeader("SCHILY.xattr." + name, value);
            } else {
                // PAX values pass through commons-compress as UTF-8 text; binary values go as base64 the
                // way libarchive writes them.
                t.addPaxHeader("LIBARCHIVE.xattr." + name, Base64.getEncoder().encodeToString(x.getValue()));
            }
        }
        boolean content = flag == TarConstants.LF_NORMAL;
        if (content) {
            t.setSize(e.size());
        }
        tar.putArchiveEntry(t);
        if (content) {
            try (InputStream in = after.open(e.path())) {
                long n = in.transferTo(new NonClosing(tar));
                if (n != e.size()) {
                    throw new IOException("'" + e.path() + "' changed while exporting: " + n + " bytes, expected " + e.size());
                }
            }
        }
        tar.closeArchiveEntry();
    }

    private TarArchiveEntry header(String name, byte flag) {
        TarArchiveEntry t = new TarArchiveEntry(name, flag);
        t.setUserName("");
        t.setGroupName("");
        t.setUserId(0);
        t.setGroupId(0);
        t.setModTime(options.fixedMtimeSeconds * 1000L);
        return t;
    }

    private static void requireRepresentable(DeltaEntry e) throws UnrepresentableEntryException {
        for (Name n : e.path().names()) {
            if (n.toString().startsWith(WHITEOUT_PREFIX)) {
                throw new UnrepresentableEntryException(e.path(), "names starting with .wh. mean whiteouts in OCI layers");
            }
        }
        utf8(e.path().bytes(), e.path());
        if (e.change() != ChangeKind.DELETED && e.type() == EntryKind.SOCKET) {
            throw new UnrepresentableEntryException(e.path(), "sockets cannot go into a tar");
        }
        for (Name x : e.xattrs().keySet()) {
            if (utf8(x.bytes(), e.path()).indexOf('=') >= 0) {
                throw new UnrepresentableEntryException(e.path(), "xattr name with '=' cannot be a PAX keyword");
            }
        }
    }

    private static String utf8(byte[] b, TreePath where) throws UnrepresentableEntryException {
        String s = Name.Bytes.utf8OrNull(b);
        if (s == null) {
            throw new UnrepresentableEntryException(where,
                    "not UTF-8; commons-compress writes tar names and link targets as UTF-8 only");
        }
        return s;
    }

    private static String tarName(TreePath p, boolean dir) throws UnrepresentableEntryException {
        return utf8(p.bytes(), p) + (dir ? "/" : "");
    }

    private static String child(TreePath dir, String name) throws UnrepresentableEntryException {
        return dir.isRoot() ? name : utf8(dir.bytes(), dir) + "/" + name;
    }

    /** glibc's gnu_dev_major/minor. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    static long makedev(long major, long minor) {
        return ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
    }

    /** Keeps the tar from closing the caller's stream (and lets a stream copy stop at the entry). */
    static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
