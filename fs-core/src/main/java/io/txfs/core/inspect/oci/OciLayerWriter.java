package io.txfs.core.inspect.oci;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.inspect.UnrepresentableEntryException;
import io.txfs.core.inspect.delta.ChangeKind;
import io.txfs.core.inspect.delta.Delta;
import io.txfs.core.inspect.delta.DeltaEntry;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private static final long MAX_OCTAL_ID = 07777777;

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

    private record Item(byte[] name, DeltaEntry entry, boolean whiteout) {}

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
        // txfs writes every PAX record itself (raw bytes); commons-compress must not add its own.
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_ERROR);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_ERROR);
        tar.setAddPaxHeadersForNonAsciiNames(false);
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
            if (d.getValue() > 1
                    && !changedType.contains(dir)
                    && before.list(dir).size() == d.getValue()) {
                opaque.add(dir);
            }
        }
        List<Item> items = new ArrayList<>();
        for (DeltaEntry e : delta.entries()) {
            if (e.change() != ChangeKind.DELETED) {
                items.add(new Item(e.path().bytes(), e, false));
            } else if (!opaque.contains(e.path().parent())) {
                items.add(new Item(
                        child(
                                e.path().parent(),
                                concat(
                                        WHITEOUT_PREFIX.getBytes(StandardCharsets.US_ASCII),
                                        e.path().name().bytes())),
                        e,
                        true));
            }
        }
        for (TreePath dir : opaque) {
            items.add(new Item(child(dir, OPAQUE.getBytes(StandardCharsets.US_ASCII)), null, true));
        }
        items.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
        return items;
    }

    private void writeItem(TarArchiveOutputStream tar, Item item, TreeSource after) throws IOException {
        DeltaEntry e = item.entry;
        if (item.whiteout) {
            TarArchiveEntry t = header(TarConstants.LF_NORMAL);
            t.setMode(0644);
            put(tar, t, item.name, null, new LinkedHashMap<>());
            tar.closeArchiveEntry();
            return;
        }
        byte flag = typeFlag(e);
        TarArchiveEntry t = header(flag);
        Map<String, byte[]> records = new LinkedHashMap<>();
        t.setMode(e.permissions());
        ownerAndTime(e, t, records);
        byte[] link = null;
        if (flag == TarConstants.LF_LINK) {
            link = e.linkTo().bytes();
        } else if (flag == TarConstants.LF_SYMLINK) {
            link = e.target();
        } else if (e.type().isDevice()) {
            t.setDevMajor((int) major(e.rdev()));
            t.setDevMinor((int) minor(e.rdev()));
        }
        for (Map.Entry<Name, byte[]> x : e.xattrs().entrySet()) {
            records.put("SCHILY.xattr." + Name.Bytes.utf8OrNull(x.getKey().bytes()), x.getValue());
        }
        byte[] name = item.name;
        if (e.type() == EntryKind.DIRECTORY) {
            name = concat(name, new byte[] {'/'});
        }
        boolean content = flag == TarConstants.LF_NORMAL;
        if (content) {
            t.setSize(e.size());
        }
        put(tar, t, name, link, records);
        if (content) {
            try (InputStream in = after.open(e.path())) {
                long n = in.transferTo(new NonClosing(tar));
                if (n != e.size()) {
                    throw new IOException(
                            "'" + e.path() + "' changed while exporting: " + n + " bytes, expected " + e.size());
                }
            }
        }
        tar.closeArchiveEntry();
    }

    /** The tar type of entry e; sockets have none. */
    private static byte typeFlag(DeltaEntry e) throws UnrepresentableEntryException {
        if (e.type() == EntryKind.FILE && e.linkTo() != null) return TarConstants.LF_LINK;
        return switch (e.type()) {
            case FILE -> TarConstants.LF_NORMAL;
            case DIRECTORY -> TarConstants.LF_DIR;
            case SYMLINK -> TarConstants.LF_SYMLINK;
            case FIFO -> TarConstants.LF_FIFO;
            case CHAR_DEVICE -> TarConstants.LF_CHR;
            case BLOCK_DEVICE -> TarConstants.LF_BLK;
            default -> throw new UnrepresentableEntryException(e.path(), "sockets cannot go into a tar");
        };
    }

    /** Owner ids and (when kept) the mtime: in the header where they fit, else as PAX records. */
    private void ownerAndTime(DeltaEntry e, TarArchiveEntry t, Map<String, byte[]> records) {
        if (e.uid() > MAX_OCTAL_ID || e.gid() > MAX_OCTAL_ID) {
            records.put("uid", ascii(Long.toString(e.uid())));
            records.put("gid", ascii(Long.toString(e.gid())));
        } else {
            t.setUserId(e.uid());
            t.setGroupId(e.gid());
        }
        if (options.keepMtimes) {
            long sec = Math.floorDiv(e.mtimeNanos(), 1_000_000_000L);
            long ns = Math.floorMod(e.mtimeNanos(), 1_000_000_000L);
            t.setModTime(Math.max(0, sec) * 1000L);
            if (ns != 0 || sec < 0) {
                records.put("mtime", ascii(sec + "." + String.format("%09d", ns)));
            }
        }
    }

    /**
     * Puts entry {@code t} under the exact {@code name} (and link target): short ASCII ones in the
     * ustar fields, others in a PAX header txfs writes itself, raw bytes and {@code hdrcharset=BINARY}
     * when they are not UTF-8, the way GNU tar does.
     */
    private void put(TarArchiveOutputStream tar, TarArchiveEntry t, byte[] name, byte[] link, Map<String, byte[]> extra)
            throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        boolean binary = Name.Bytes.utf8OrNull(name) == null || (link != null && Name.Bytes.utf8OrNull(link) == null);
        if (binary) {
            records.put("hdrcharset", ascii("BINARY"));
        }
        if (!fitsUstar(name)) {
            records.put("path", name);
        }
        if (link != null && !fitsUstar(link)) {
            records.put("linkpath", link);
        }
        records.putAll(extra);
        t.setName(placeholder(name));
        if (link != null) {
            t.setLinkName(placeholder(link));
        }
        if (!records.isEmpty()) {
            byte[] payload = PaxRecords.encode(records);
            TarArchiveEntry pax = header(TarConstants.LF_PAX_EXTENDED_HEADER_LC);
            byte[] plain =
                    name.length > 0 && name[name.length - 1] == '/' ? Arrays.copyOf(name, name.length - 1) : name;
            pax.setName(placeholder(concat(ascii("PaxHeaders/"), plain)));
            pax.setMode(0644);
            pax.setSize(payload.length);
            tar.putArchiveEntry(pax);
            tar.write(payload);
            tar.closeArchiveEntry();
        }
        tar.putArchiveEntry(t);
    }

    /** ustar's name field: under 100 bytes (commons-compress's limit) and plain ASCII. */
    private static boolean fitsUstar(byte[] b) {
        if (b.length >= 100) {
            return false;
        }
        for (byte x : b) {
            if (x < 0x20 || x > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** What goes in the ustar field when the PAX record has the real name: ASCII, under 100 bytes. */
    private static String placeholder(byte[] b) {
        boolean dir = b.length > 0 && b[b.length - 1] == '/';
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(x < 0x20 || x > 0x7e ? '_' : (char) x);
        }
        if (sb.length() >= 100) {
            sb.setLength(dir ? 98 : 99);
            // commons-compress takes a trailing '/' to mean a directory.
            while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '/') {
                sb.setCharAt(sb.length() - 1, '_');
            }
            if (dir) {
                sb.append('/');
            }
        }
        return sb.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private TarArchiveEntry header(byte flag) {
        TarArchiveEntry t = new TarArchiveEntry("placeholder", flag);
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
                throw new UnrepresentableEntryException(
                        e.path(), "names starting with .wh. mean whiteouts in OCI layers");
            }
        }
        if (e.change() != ChangeKind.DELETED && e.type() == EntryKind.SOCKET) {
            throw new UnrepresentableEntryException(e.path(), "sockets cannot go into a tar");
        }
        for (Name x : e.xattrs().keySet()) {
            String name = Name.Bytes.utf8OrNull(x.bytes());
            if (name == null || name.indexOf('=') >= 0) {
                throw new UnrepresentableEntryException(e.path(), "xattr name '" + x + "' cannot be a PAX keyword");
            }
        }
    }

    private static byte[] child(TreePath dir, byte[] name) {
        return dir.isRoot() ? name : concat(concat(dir.bytes(), new byte[] {'/'}), name);
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
    static final class NonClosing extends FilterOutputStream {
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
