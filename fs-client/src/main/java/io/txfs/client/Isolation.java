package io.txfs.client;

/** What a view reads of others' publishes (docs/spec.md, "Isolation"). */
public enum Isolation {
    /** The published state as it was when the view began or last published (the default). */
    SNAPSHOT("snapshot"),
    /** Each newer publish, at the view's next access. */
    READ_COMMITTED("read-committed");

    private final String word;

    Isolation(String word) {
        this.word = word;
    }

    /** The word the control protocol uses. */
    public String word() {
        return word;
    }

    static Isolation of(String word) throws MalformedReplyException {
        for (Isolation i : values()) {
            if (i.word.equals(word)) {
                return i;
            }
        }
        throw new MalformedReplyException("unknown isolation '" + word + "'");
    }
}
