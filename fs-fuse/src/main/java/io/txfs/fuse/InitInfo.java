package io.txfs.fuse;

import io.txfs.fuse.proto.InitFlags;
import java.util.List;
import java.util.Optional;

/** What INIT negotiated with the running kernel. */
public final class InitInfo {
    private final int kernelMajor;
    private final int kernelMinor;
    private final int minor;
    private final long kernelFlags;
    private final long flags;
    private final int maxWrite;
    private final int maxReadahead;
    private final int maxPages;
    private final int maxBackground;
    private final int congestionThreshold;
    private final int maxStackDepth;
    private final BackingFiles backingFiles;
    private final boolean defaultPermissions;

    public InitInfo(
            int kernelMajor,
            int kernelMinor,
            int minor,
            long kernelFlags,
            long flags,
            int maxWrite,
            int maxReadahead,
            int maxPages,
            int maxBackground,
            int congestionThreshold,
            int maxStackDepth) {
        this(
                kernelMajor,
                kernelMinor,
                minor,
                kernelFlags,
                flags,
                maxWrite,
                maxReadahead,
                maxPages,
                maxBackground,
                congestionThreshold,
                maxStackDepth,
                null);
    }

    public InitInfo(
            int kernelMajor,
            int kernelMinor,
            int minor,
            long kernelFlags,
            long flags,
            int maxWrite,
            int maxReadahead,
            int maxPages,
            int maxBackground,
            int congestionThreshold,
            int maxStackDepth,
            BackingFiles backingFiles) {
        this(
                kernelMajor,
                kernelMinor,
                minor,
                kernelFlags,
                flags,
                maxWrite,
                maxReadahead,
                maxPages,
                maxBackground,
                congestionThreshold,
                maxStackDepth,
                backingFiles,
                false);
    }

    public InitInfo(
            int kernelMajor,
            int kernelMinor,
            int minor,
            long kernelFlags,
            long flags,
            int maxWrite,
            int maxReadahead,
            int maxPages,
            int maxBackground,
            int congestionThreshold,
            int maxStackDepth,
            BackingFiles backingFiles,
            boolean defaultPermissions) {
        this.defaultPermissions = defaultPermissions;
        this.backingFiles = (flags & InitFlags.PASSTHROUGH) != 0 ? backingFiles : null;
        this.kernelMajor = kernelMajor;
        this.kernelMinor = kernelMinor;
        this.minor = minor;
        this.kernelFlags = kernelFlags;
        this.flags = flags;
        this.maxWrite = maxWrite;
        this.maxReadahead = maxReadahead;
        this.maxPages = maxPages;
        this.maxBackground = maxBackground;
        this.congestionThreshold = congestionThreshold;
        this.maxStackDepth = maxStackDepth;
    }

    public int kernelMajor() {
        return kernelMajor;
    }

    public int kernelMinor() {
        return kernelMinor;
    }

    /** The protocol minor both sides use: min(kernel's, ours). */
    public int minor() {
        return minor;
    }

    /** Flags the kernel offered (flags | flags2 << 32). */
    public long kernelFlags() {
        return kernelFlags;
    }

    /** Flags we replied with (those the kernel offered and we want). */
    public long flags() {
        return flags;
    }

    public boolean has(long flag) {
        return (flags & flag) == flag;
    }

    public List<String> flagNames() {
        return InitFlags.names(flags & ~InitFlags.INIT_EXT);
    }

    public int maxWrite() {
        return maxWrite;
    }

    public int maxReadahead() {
        return maxReadahead;
    }

    public int maxPages() {
        return maxPages;
    }

    public int maxBackground() {
        return maxBackground;
    }

    public int congestionThreshold() {
        return congestionThreshold;
    }

    /** Non-zero when FUSE_PASSTHROUGH was negotiated. */
    public int maxStackDepth() {
        return maxStackDepth;
    }

    /**
     * Whether the mount has default_permissions, i.e. the kernel checks permissions itself. Without
     * it, the filesystem must check them, and must not let the kernel cache names it would refuse to
     * look up for another caller.
     */
    public boolean defaultPermissions() {
        return defaultPermissions;
    }

    /** Present when FUSE_PASSTHROUGH was negotiated on a real device. */
    public Optional<BackingFiles> backingFiles() {
        return Optional.ofNullable(backingFiles);
    }

    @Override
    public String toString() {
        return "FUSE " + kernelMajor + "." + minor + " (kernel offers 7." + kernelMinor + ")"
                + " max_write=" + maxWrite + " max_pages=" + maxPages + " max_readahead=" + maxReadahead
                + " max_background=" + maxBackground + " congestion_threshold=" + congestionThreshold
                + (maxStackDepth > 0 ? " max_stack_depth=" + maxStackDepth : "")
                + " flags=" + String.join("|", flagNames());
    }
}
