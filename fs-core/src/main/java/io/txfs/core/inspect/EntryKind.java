package io.txfs.core.inspect;

/** The file types a tree can hold, named as they appear in canonical deltas. */
public enum EntryKind {
    FILE("file", 0100000),
    DIRECTORY("dir", 0040000),
    SYMLINK("symlink", 0120000),
    FIFO("fifo", 0010000),
    CHAR_DEVICE("char", 0020000),
    BLOCK_DEVICE("block", 0060000),
    SOCKET("socket", 0140000);

    private final String jsonName;
    private final int formatBits;

    EntryKind(String jsonName, int formatBits) {
        this.jsonName = jsonName;
        this.formatBits = formatBits;
    }

    public String jsonName() {
        return jsonName;
    }

    /** The S_IFMT bits of this kind. */
    public int formatBits() {
        return formatBits;
    }

    public boolean isDevice() {
        return this == CHAR_DEVICE || this == BLOCK_DEVICE;
    }

    /** The kind named by the S_IFMT bits of a full st_mode. */
    public static EntryKind fromMode(int stMode) {
        int fmt = stMode & 0170000;
        for (EntryKind k : values()) {
            if (k.formatBits == fmt) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown file type in mode " + Integer.toOctalString(stMode));
    }

    public static EntryKind fromJsonName(String name) {
        for (EntryKind k : values()) {
            if (k.jsonName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown entry type: " + name);
    }
}
