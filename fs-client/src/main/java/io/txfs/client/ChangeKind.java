package io.txfs.client;

/** How a path changed, with the letter {@code txfs status} shows for it. */
public enum ChangeKind {
    ADDED('A', "added", "added"),
    MODIFIED('M', "modified", "modified"),
    DELETED('D', "deleted", "deleted"),
    /** Replaced by a file of another type (a file by a directory, say). */
    TYPE_CHANGED('T', "type_changed", "type-changed"),
    /** Same type and content; mode, ownership or xattrs differ. */
    METADATA('M', "metadata", "metadata");

    private final char letter;
    private final String statusWord;
    private final String deltaWord;

    ChangeKind(char letter, String statusWord, String deltaWord) {
        this.letter = letter;
        this.statusWord = statusWord;
        this.deltaWord = deltaWord;
    }

    /** A, M, D or T, as {@code txfs status} prints it. */
    public char letter() {
        return letter;
    }

    static ChangeKind of(String word) throws MalformedReplyException {
        for (ChangeKind k : values()) {
            if (k.statusWord.equals(word) || k.deltaWord.equals(word)) {
                return k;
            }
        }
        throw new MalformedReplyException("unknown change '" + word + "'");
    }
}
