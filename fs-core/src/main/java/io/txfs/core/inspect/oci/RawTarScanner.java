package io.txfs.core.inspect.oci;

import static io.txfs.core.inspect.oci.LayerRejectedException.Reason;

import io.txfs.core.inspect.Name;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The importer's first pass over a spooled tar, on raw 512-byte headers and before any parser
 * allocates what a header claims: checksums, sizes, truncation, the end-of-archive marker, and the
 * size and syntax of PAX and GNU long-name payloads. It also yields each entry's exact name, link
 * target and xattrs as bytes, which commons-compress would decode as UTF-8.
 */
final class RawTarScanner {
    private RawTarScanner() {}

    /** Exact bytes of one entry's name, link target and xattrs, from its headers. */
    record RawEntry(byte[] path, byte[] linkPath, SortedMap<Name, byte[]> xattrs) {}

    /** The entries' raw names in archive order (the order commons-compress returns them in). */
    static List<RawEntry> scan(Path spool, long maxMetadataBytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(spool.toFile(), "r")) {
            return new Scan(f, maxMetadataBytes).entries();
        }
    }

    /** One pass over the archive's headers; the extended headers seen apply to the next entry. */
    private static final class Scan {
        private final RandomAccessFile f;
        private final long len;
        private final long maxMetadataBytes;
        private final List<RawEntry> index = new ArrayList<>();
        private final byte[] h = new byte[512];
        private Map<String, byte[]> pax = new HashMap<>();
        private byte[] gnuName;
        private byte[] gnuLink;

        Scan(RandomAccessFile f, long maxMetadataBytes) throws IOException {
            this.f = f;
            this.len = f.length();
            this.maxMetadataBytes = maxMetadataBytes;
        }

        List<RawEntry> entries() throws IOException {
            if (len % 512 != 0) {
                throw new LayerRejectedException(Reason.TRUNCATED, "length " + len + " is not a multiple of 512");
            }
            long pos = 0;
            while (true) {
                if (pos + 1024 > len) {
                    throw new LayerRejectedException(Reason.TRUNCATED, "no end-of-archive marker");
                }
                f.seek(pos);
                f.readFully(h);
                if (PaxOwnerScrubber.isZero(h)) {
                    byte[] h2 = new byte[512];
                    f.readFully(h2);
                    if (!PaxOwnerScrubber.isZero(h2)) {
                        throw new LayerRejectedException(Reason.BAD_HEADER, "zero block inside the archive at " + pos);
                    }
                    return index;
                }
                pos += 512 + entry(pos) * 512;
            }
        }

        /** Reads the entry whose header is in h, at pos; returns its data blocks. */
        private long entry(long pos) throws IOException {
            long stored = TarHeaders.parseOctal(h, 148, 8);
            if (stored != TarHeaders.checksum(h)) {
                throw new LayerRejectedException(Reason.BAD_HEADER, "bad header checksum at offset " + pos);
            }
            long size = TarHeaders.parseOctal(h, 124, 12);
            if (size < 0) {
                throw new LayerRejectedException(Reason.BAD_HEADER, "bad size field at offset " + pos);
            }
            byte type = h[156];
            boolean meta = type == 'x' || type == 'g' || type == 'L' || type == 'K';
            if (meta && size > maxMetadataBytes) {
                throw new LayerRejectedException(
                        Reason.HEADER_TOO_LARGE, "extended header of " + size + " bytes at offset " + pos);
            }
            long dataBlocks = (size + 511) / 512;
            // Hard links, symlinks, directories and nodes carry no data whatever their size field says.
            if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                dataBlocks = 0;
            }
            if (pos + 512 + dataBlocks * 512 > len) {
                throw new LayerRejectedException(Reason.TRUNCATED, "entry data runs past the end at offset " + pos);
            }
            if (meta) extendedHeader(type, size, pos);
            else named(pos);
            return dataBlocks;
        }

        private void extendedHeader(byte type, long size, long pos) throws IOException {
            byte[] payload = new byte[(int) size];
            f.seek(pos + 512);
            f.readFully(payload);
            if (type == 'x') {
                Map<String, byte[]> records = PaxRecords.parse(payload);
                if (records == null) {
                    throw new LayerRejectedException(Reason.BAD_HEADER, "malformed PAX record at offset " + pos);
                }
                pax.putAll(records);
            } else if (type == 'L') {
                gnuName = gnuLongName(payload, pos);
            } else if (type == 'K') {
                gnuLink = gnuLongName(payload, pos);
            } else if (PaxRecords.parse(payload) == null) {
                throw new LayerRejectedException(Reason.BAD_HEADER, "malformed global PAX record at offset " + pos);
            }
        }

        /** An entry with a name: its name and link from the extended headers before it, or its own. */
        private void named(long pos) throws LayerRejectedException {
            byte[] path = pax.containsKey("path") ? pax.get("path") : gnuName != null ? gnuName : ustarName(h);
            byte[] link =
                    pax.containsKey("linkpath") ? pax.get("linkpath") : gnuLink != null ? gnuLink : field(h, 157, 100);
            if (indexOf0(path) >= 0 || indexOf0(link) >= 0) {
                throw new LayerRejectedException(Reason.BAD_NAME, "NUL inside a name at offset " + pos);
            }
            index.add(new RawEntry(path, link, xattrs(pax, pos)));
            pax = new HashMap<>();
            gnuName = null;
            gnuLink = null;
        }
    }

    private static SortedMap<Name, byte[]> xattrs(Map<String, byte[]> pax, long pos) throws LayerRejectedException {
        SortedMap<Name, byte[]> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> r : pax.entrySet()) {
            String k = r.getKey();
            try {
                if (k.startsWith("SCHILY.xattr.")) {
                    out.put(Name.xattr(k.substring("SCHILY.xattr.".length())), r.getValue());
                } else if (k.startsWith("LIBARCHIVE.xattr.")) {
                    String name = URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
                    out.putIfAbsent(Name.xattr(name), Base64.getDecoder().decode(r.getValue()));
                }
            } catch (IllegalArgumentException e) {
                throw new LayerRejectedException(Reason.BAD_HEADER, "bad xattr record " + k + " at offset " + pos);
            }
        }
        return out;
    }

    private static byte[] gnuLongName(byte[] payload, long pos) throws LayerRejectedException {
        int nul = indexOf0(payload);
        int end = nul < 0 ? payload.length : nul;
        for (int i = end; i < payload.length; i++) {
            if (payload[i] != 0) {
                throw new LayerRejectedException(Reason.BAD_NAME, "NUL inside a GNU long name at offset " + pos);
            }
        }
        return Arrays.copyOf(payload, end);
    }

    /** prefix "/" name of a ustar header (the prefix only with the ustar magic). */
    private static byte[] ustarName(byte[] h) {
        byte[] name = field(h, 0, 100);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        byte[] prefix = ustar ? field(h, 345, 155) : new byte[0];
        if (prefix.length == 0) {
            return name;
        }
        byte[] out = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
        out[prefix.length] = '/';
        System.arraycopy(name, 0, out, prefix.length + 1, name.length);
        return out;
    }

    private static byte[] field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(h, off, end);
    }

    static int indexOf0(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
