package io.txfs.client;

/** How a publish (or a commit's) treats paths others published since the view began. */
public enum PublishOption {
    /** Last writer wins, path by path; the result lists what it overrode (docs/publish-force.md). */
    FORCE("force"),
    /**
     * A file both changed in different 64 KiB chunks, and nothing else, is merged instead of conflicting
     * (docs/publish-force.md, "Merging byte ranges").
     */
    MERGE_BYTES("merge=bytes");

    private final String word;

    PublishOption(String word) {
        this.word = word;
    }

    String word() {
        return word;
    }
}
