package io.txfs.core.inspect.delta;

/** How a path differs between two states. */
public enum ChangeKind {
    ADDED("added"),
    DELETED("deleted"),
    /** Same type, different content (file bytes, symlink target, device number); metadata may differ too. */
    MODIFIED("modified"),
    TYPE_CHANGED("type-changed"),
    /** Same type and content; mode, ownership, xattrs (or mtime, when asked) differ. */
    METADATA("metadata");

    private final String jsonName;

    ChangeKind(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static ChangeKind fromJsonName(String s) {
        for (ChangeKind k : values()) {
            if (k.jsonName.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown change: " + s);
    }
}
