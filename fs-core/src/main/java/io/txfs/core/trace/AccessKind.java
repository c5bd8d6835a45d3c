package io.txfs.core.trace;

import java.util.Locale;

/** What a traced process did to a path (docs/reproducibility.md, "Access traces"). */
public enum AccessKind {
    LOOKUP(true),
    /** A lookup of a name that is not there: a read too, as a build may depend on something being absent. */
    MISSING(true),
    READ(true),
    EXEC(true),
    READDIR(true),
    READLINK(true),
    GETXATTR(true),
    WRITE(false),
    CREATE(false),
    MKDIR(false),
    MKNOD(false),
    SYMLINK(false),
    LINK(false),
    UNLINK(false),
    RMDIR(false),
    RENAME_FROM(false),
    RENAME_TO(false),
    SETATTR(false),
    SETXATTR(false);

    private final boolean read;

    AccessKind(boolean read) {
        this.read = read;
    }

    /** Whether this kind reads (an input of the step) rather than writes (an output). */
    public boolean read() {
        return read;
    }

    /** The kind as the trace spells it: lower case, '-' for '_'. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static AccessKind ofWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
