package io.txfs.core;

/**
 * The engine's fixed numbers and names. Below every part of the engine, so that none of them imports
 * {@link Engine} (which re-exports these for its callers) for a constant.
 */
final class EngineConstants {
    /** The root directory's node id. */
    static final long ROOT = 1;
    /** File content is stored in chunks of this many bytes (docs/storage-format.md). */
    static final int CHUNK = 64 * 1024;

    static final long MAX_FILE_SIZE = 1L << 44;
    static final int NAME_MAX = 255;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    static final int XATTR_CREATE = 1;
    static final int XATTR_REPLACE = 2;
    /** The name of the published pseudo-view (view id 0). */
    static final String PUBLISHED_VIEW = "@published";
    /** The flush's staging area in the backing root (docs/recovery.md). */
    static final String STAGING = ".txfs.flush";

    private EngineConstants() {}
}
