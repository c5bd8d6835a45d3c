package io.txfs.fuse;

/** How to mount: reader threads, kernel mount options, INIT preferences. Immutable; see {@link Builder}. */
public final class MountOptions {
    private final int readerThreads;
    private final boolean allowOther;
    private final boolean defaultPermissions;
    private final String fsName;
    private final String subtype;
    private final boolean writebackCache;
    private final boolean passthrough;

    private MountOptions(Builder b) {
        this.readerThreads = b.readerThreads;
        this.allowOther = b.allowOther;
        this.defaultPermissions = b.defaultPermissions;
        this.fsName = b.fsName;
        this.subtype = b.subtype;
        this.writebackCache = b.writebackCache;
        this.passthrough = b.passthrough;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static MountOptions defaults() {
        return builder().build();
    }

    /**
     * Parses a comma-separated option list onto a new builder: {@code readers=N}, {@code fsname=S},
     * {@code subtype=S}, {@code allow_other}, {@code noallow_other}, {@code default_permissions},
     * {@code writeback_cache}, {@code passthrough}, {@code nopassthrough}. Unknown options are rejected.
     */
    public static Builder parse(String commaSeparatedOpts) {
        Builder b = builder();
        if (commaSeparatedOpts == null || commaSeparatedOpts.isBlank()) {
            return b;
        }
        for (String raw : commaSeparatedOpts.split(",")) {
            String opt = raw.trim();
            if (opt.isEmpty()) {
                continue;
            }
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? null : opt.substring(eq + 1);
            switch (key) {
                case "readers":
                    b.readerThreads(parseInt(key, value));
                    break;
                case "fsname":
                    b.fsName(requireValue(key, value));
                    break;
                case "subtype":
                    b.subtype(requireValue(key, value));
                    break;
                case "allow_other":
                    b.allowOther(flag(key, value));
                    break;
                case "noallow_other":
                    b.allowOther(!flag(key, value));
                    break;
                case "default_permissions":
                    b.defaultPermissions(flag(key, value));
                    break;
                case "writeback_cache":
                    b.writebackCache(flag(key, value));
                    break;
                case "passthrough":
                    b.passthrough(flag(key, value));
                    break;
                case "nopassthrough":
                    b.passthrough(!flag(key, value));
                    break;
                default:
                    throw new IllegalArgumentException("unknown mount option: " + opt);
            }
        }
        return b;
    }

    private static String requireValue(String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("mount option " + key + " needs a value (" + key + "=...)");
        }
        if (value.contains(",") || value.contains("=")) {
            throw new IllegalArgumentException("mount option " + key + " has an invalid value: " + value);
        }
        return value;
    }

    private static boolean flag(String key, String value) {
        if (value == null) {
            return true;
        }
        throw new IllegalArgumentException("mount option " + key + " takes no value");
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(requireValue(key, value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mount option " + key + " needs a number: " + value, e);
        }
    }

    public int readerThreads() {
        return readerThreads;
    }

    public boolean allowOther() {
        return allowOther;
    }

    public boolean defaultPermissions() {
        return defaultPermissions;
    }

    public String fsName() {
        return fsName;
    }

    public String subtype() {
        return subtype;
    }

    public boolean writebackCache() {
        return writebackCache;
    }

    /** Negotiate FUSE_PASSTHROUGH when the kernel offers it (the filesystem decides per open). */
    public boolean passthrough() {
        return passthrough;
    }

    @Override
    public String toString() {
        return "readers=" + readerThreads + ",fsname=" + fsName + ",subtype=" + subtype
                + (allowOther ? ",allow_other" : "") + (defaultPermissions ? ",default_permissions" : "")
                + (writebackCache ? ",writeback_cache" : "") + (passthrough ? ",passthrough" : ",nopassthrough");
    }

    public static final class Builder {
        private int readerThreads = 2;
        private boolean allowOther = true;
        private boolean defaultPermissions = false;
        private String fsName = "txfs";
        private String subtype = "txfs";
        private boolean writebackCache = false;
        private boolean passthrough = true;

        private Builder() {}

        public Builder readerThreads(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("reader threads must be 1..256: " + n);
            }
            this.readerThreads = n;
            return this;
        }

        public Builder allowOther(boolean allowOther) {
            this.allowOther = allowOther;
            return this;
        }

        public Builder defaultPermissions(boolean defaultPermissions) {
            this.defaultPermissions = defaultPermissions;
            return this;
        }

        public Builder fsName(String fsName) {
            this.fsName = checkName("fsname", fsName);
            return this;
        }

        public Builder subtype(String subtype) {
            this.subtype = checkName("subtype", subtype);
            return this;
        }

        public Builder writebackCache(boolean writebackCache) {
            this.writebackCache = writebackCache;
            return this;
        }

        public Builder passthrough(boolean passthrough) {
            this.passthrough = passthrough;
            return this;
        }

        public MountOptions build() {
            return new MountOptions(this);
        }

        private static String checkName(String what, String s) {
            if (s == null || s.isEmpty() || s.contains(",") || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " must be non-empty without commas: " + s);
            }
            return s;
        }
    }
}
