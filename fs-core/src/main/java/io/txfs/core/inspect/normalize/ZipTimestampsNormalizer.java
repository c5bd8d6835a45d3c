package io.txfs.core.inspect.normalize;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code zip-timestamps}: every entry time of a zip (jar, apk, wheel) set to one constant, 1980-01-01
 * 00:00, in the local headers and in the central directory: the DOS time and date, and the times of
 * the extended-timestamp ({@code 0x5455}), Info-ZIP Unix ({@code 0x5855}) and NTFS ({@code 0x000a})
 * extra fields, zeroed. Nothing moves, so the size and every offset stay. Read in passes over the file
 * (its end, the central directory, the local headers), never whole in memory; zip64 archives included.
 */
final class ZipTimestampsNormalizer implements Normalizer {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    /** DOS date of 1980-01-01 (year 0 since 1980, month 1, day 1); the time 00:00:00 is 0. */
    private static final byte[] DOS_TIME_AND_DATE = {0, 0, 0x21, 0};
    /** The central directory is read whole: a larger one is refused (about 500k entries). */
    private static final int MAX_CENTRAL_DIRECTORY = 64 << 20;

    @Override
    public String spelling() {
        return "zip-timestamps";
    }

    @Override
    public Blob apply(Blob in) throws IOException {
        Directory dir = directory(in);
        TreeMap<Long, byte[]> patches = new TreeMap<>();
        List<Long> locals = central(in, dir, patches);
        localHeaders(in, locals, patches);
        if (patches.isEmpty()) return in;
        return new Blob() {
            @Override
            public long size() {
                return in.size();
            }

            @Override
            public InputStream open() throws IOException {
                return new PatchingInputStream(in.open(), patches);
            }
        };
    }

    private record Directory(long offset, long size, long entries) {}

    /** The end of central directory record (zip64's when the classic one points to it). */
    private static Directory directory(Blob in) throws IOException {
        long size = in.size();
        int tailLength = (int) Math.min(size, 22 + 65535);
        ByteBuffer tail = le(in.read(size - tailLength, tailLength));
        int at = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD && i + 22 + Short.toUnsignedInt(tail.getShort(i + 20)) == tailLength) {
                at = i;
                break;
            }
        }
        if (at < 0) throw new NotNormalizableException("not a zip archive (no end of central directory)");
        long entries = Short.toUnsignedInt(tail.getShort(at + 10));
        long cdSize = Integer.toUnsignedLong(tail.getInt(at + 12));
        long cdOffset = Integer.toUnsignedLong(tail.getInt(at + 16));
        if (at >= 20 && tail.getInt(at - 20) == ZIP64_LOCATOR) {
            long z = tail.getLong(at - 20 + 8);
            if (z < 0 || z + 56 > size) throw new NotNormalizableException("zip64 end record outside the file");
            ByteBuffer r = le(in.read(z, 56));
            if (r.getInt(0) != ZIP64_EOCD) throw new NotNormalizableException("bad zip64 end record");
            entries = r.getLong(32);
            cdSize = r.getLong(40);
            cdOffset = r.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size) {
            throw new NotNormalizableException("central directory outside the file");
        }
        if (cdSize > MAX_CENTRAL_DIRECTORY) {
            throw new NotNormalizableException("central directory larger than " + MAX_CENTRAL_DIRECTORY + " bytes");
        }
        return new Directory(cdOffset, cdSize, entries);
    }

    /** Patches the central directory's times; returns each entry's local header offset, ascending. */
    private static List<Long> central(Blob in, Directory dir, TreeMap<Long, byte[]> patches) throws IOException {
        ByteBuffer cd = le(in.read(dir.offset(), (int) dir.size()));
        List<Long> locals = new ArrayList<>();
        int p = 0;
        for (long n = 0; n < dir.entries(); n++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL) {
                throw new NotNormalizableException("central directory entry " + n + " is damaged");
            }
            int nameLength = Short.toUnsignedInt(cd.getShort(p + 28));
            int extraLength = Short.toUnsignedInt(cd.getShort(p + 30));
            int commentLength = Short.toUnsignedInt(cd.getShort(p + 32));
            long local = Integer.toUnsignedLong(cd.getInt(p + 42));
            patches.put(dir.offset() + p + 12, DOS_TIME_AND_DATE);
            int extra = p + 46 + nameLength;
            if (extra + extraLength > cd.limit())
                throw new NotNormalizableException("central entry " + n + " overruns");
            Long local64 = extraTimes(cd, extra, extraLength, dir.offset(), patches, local == 0xffffffffL);
            locals.add(local64 != null ? local64 : local);
            p = extra + extraLength + commentLength;
        }
        locals.sort(null);
        return locals;
    }

    /** Patches each local header's times, reading the headers in one forward pass. */
    private static void localHeaders(Blob in, List<Long> offsets, TreeMap<Long, byte[]> patches) throws IOException {
        // headers are small and close together: buffered, a skip between two is a copy, not a seek
        try (InputStream s = new BufferedInputStream(in.open(), 1 << 16)) {
            long position = 0;
            for (long offset : offsets) {
                if (offset < position || offset + 30 > in.size()) {
                    throw new NotNormalizableException(
                            "local header at " + offset + " outside the file or overlapping");
                }
                s.skipNBytes(offset - position);
                ByteBuffer h = le(s.readNBytes(30));
                if (h.limit() < 30 || h.getInt(0) != LOCAL) {
                    throw new NotNormalizableException("no local header at " + offset);
                }
                int nameLength = Short.toUnsignedInt(h.getShort(26));
                int extraLength = Short.toUnsignedInt(h.getShort(28));
                patches.put(offset + 10, DOS_TIME_AND_DATE);
                s.skipNBytes(nameLength);
                ByteBuffer extra = le(s.readNBytes(extraLength));
                if (extra.limit() < extraLength)
                    throw new NotNormalizableException("local header at " + offset + " cut");
                extraTimes(extra, 0, extraLength, offset + 30 + nameLength, patches, false);
                position = offset + 30 + nameLength + extraLength;
            }
        }
    }

    /**
     * Zeroes the times in the extra fields at [from, from+length) of {@code b} (whose byte 0 is at {@code base}
     * in the file). With {@code wantOffset}, returns the zip64 local header offset of the 0x0001 field.
     */
    private static Long extraTimes(
            ByteBuffer b, int from, int length, long base, TreeMap<Long, byte[]> patches, boolean wantOffset)
            throws NotNormalizableException {
        Long local64 = null;
        int p = from;
        int end = from + length;
        while (p + 4 <= end) {
            int id = Short.toUnsignedInt(b.getShort(p));
            int size = Short.toUnsignedInt(b.getShort(p + 2));
            int data = p + 4;
            if (data + size > end) break; // padding some tools leave: not a field
            switch (id) {
                case 0x5455 -> { // extended timestamp: a flags byte, then up to three 4-byte times
                    if (size > 1) patches.put(base + data + 1, new byte[size - 1]);
                }
                case 0x5855 -> { // Info-ZIP Unix (old): atime, mtime, then optional uid/gid
                    if (size >= 8) patches.put(base + data, new byte[8]);
                }
                case 0x000a -> { // NTFS: 4 reserved bytes, then attributes with three 8-byte times
                    if (size > 4) patches.put(base + data + 4, new byte[size - 4]);
                }
                case 0x0001 -> { // zip64: sizes first (when 0xffffffff in the header), then the offset
                    if (wantOffset) local64 = zip64LocalOffset(b, data, size);
                }
                default -> {}
            }
            p = data + size;
        }
        if (wantOffset && local64 == null) throw new NotNormalizableException("zip64 entry without its offset");
        return local64;
    }

    /**
     * The local header offset in a central entry's zip64 field. The field holds, in this order, only the
     * values whose header field overflowed: uncompressed size, compressed size, offset (8 bytes each), disk
     * number (4 bytes). It is read only when the offset overflowed, so the offset is its last 8-byte value.
     */
    private static Long zip64LocalOffset(ByteBuffer b, int data, int size) {
        return size < 8 ? null : b.getLong(data + 8 * (size / 8 - 1));
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A stream with some byte ranges replaced (none overlapping, by start). */
    static final class PatchingInputStream extends RewritingInputStream {
        private final TreeMap<Long, byte[]> patches;

        PatchingInputStream(InputStream in, TreeMap<Long, byte[]> patches) {
            super(in);
            this.patches = patches;
        }

        @Override
        void rewrite(byte[] b, int off, int n, long start) {
            long end = start + n;
            Long from = patches.floorKey(start);
            for (var e : patches.subMap(from == null ? start : from, true, end, false)
                    .entrySet()) {
                byte[] v = e.getValue();
                long ps = e.getKey();
                for (long q = Math.max(ps, start); q < Math.min(ps + v.length, end); q++) {
                    b[off + (int) (q - start)] = v[(int) (q - ps)];
                }
            }
        }
    }
}
