package io.txfs.client;

/** The type of a file, as {@code status} and the canonical delta name it (each in its own words). */
public enum FileType {
    REGULAR("regular", "file"),
    DIRECTORY("directory", "dir"),
    SYMLINK("symlink", "symlink"),
    FIFO("fifo", "fifo"),
    CHAR_DEVICE("char_device", "char"),
    BLOCK_DEVICE("block_device", "block"),
    SOCKET("socket", "socket");

    private final String statusWord;
    private final String deltaWord;

    FileType(String statusWord, String deltaWord) {
        this.statusWord = statusWord;
        this.deltaWord = deltaWord;
    }

    static FileType of(String word) throws MalformedReplyException {
        for (FileType t : values()) {
            if (t.statusWord.equals(word) || t.deltaWord.equals(word)) {
                return t;
            }
        }
        throw new MalformedReplyException("unknown file type '" + word + "'");
    }
}
