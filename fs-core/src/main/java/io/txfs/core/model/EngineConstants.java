package io.txfs.core.model;

/**
 * The engine's fixed numbers and names. Below every part of the engine, so that none of them imports
 * {@code Engine} (which re-exports these for its callers) for a constant.
 */
public final class EngineConstants {
    /** The root directory's node id. */
    public static final long ROOT = 1;
    /** File content is stored in chunks of this many bytes (docs/storage-format.md). */
    public static final int CHUNK = 64 * 1024;

    public static final long MAX_FILE_SIZE = 1L << 44;
    public static final int NAME_MAX = 255;
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;
    /** The name of the published pseudo-view (view id 0). */
    public static final String PUBLISHED_VIEW = "@published";
    /** The flush's staging area in the backing root (docs/recovery.md). */
    public static final String STAGING = ".txfs.flush";

    private EngineConstants() {}
}
