package io.txfs.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The form mount(8) calls a FUSE filesystem in: for {@code mount -t fuse.txfs BACKING MNT -o OPTS} and the
 * fstab line {@code BACKING MNT fuse.txfs OPTS 0 0}, mount.fuse3 runs {@code txfs BACKING MNT -o OPTS}
 * with {@code txfs} found on PATH. That is {@code txfs mount}, with txfs's own settings as {@code -o} words
 * ({@code state=DIR}, {@code default_view=…}; README, "mount(8) and fstab") and mount(8)'s generic words (rw, nofail,
 * noauto, x-systemd.*, …) that are not for the filesystem left out.
 */
final class MountHelperForm {
    /** {@code -o} words naming {@code txfs mount} options that take a value. */
    private static final Map<String, String> VALUED = Map.of(
            "state", "--state",
            "default_view", "--default-view",
            "mode", "--mode",
            "keep_versions", "--keep-versions",
            "keep_unflushed", "--keep-unflushed",
            "group_window", "--group-window",
            "group_ops", "--group-ops",
            "auto_flush", "--auto-flush",
            "flush_group", "--flush-group");

    /** mount(8)'s and mount.fuse3's own words: they say how to mount, not what txfs should do. */
    private static final Set<String> GENERIC = Set.of(
            "rw",
            "defaults",
            "auto",
            "noauto",
            "user",
            "nouser",
            "users",
            "owner",
            "group",
            "nofail",
            "_netdev",
            "dev",
            "nodev",
            "suid",
            "nosuid",
            "exec",
            "noexec",
            "atime",
            "noatime",
            "relatime",
            "strictatime",
            "diratime",
            "nodiratime",
            "lazytime",
            "nolazytime",
            "async",
            "sync");

    private MountHelperForm() {}

    /**
     * The {@code txfs mount} arguments for {@code args} when they are the mount helper's form (an existing
     * directory, a mountpoint, then only {@code -o} lists), else empty.
     */
    static Optional<List<String>> translate(String[] args, Set<String> commands) {
        if (args.length < 2 || args[0].startsWith("-") || commands.contains(args[0])) return Optional.empty();
        if (!Files.isDirectory(Path.of(args[0])) || args[1].startsWith("-")) return Optional.empty();
        List<String> out = new ArrayList<>(List.of("mount"));
        List<String> passed = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            String list;
            if (a.equals("-o") && i + 1 < args.length) {
                list = args[++i];
            } else if (a.startsWith("-o") && a.length() > 2) {
                list = a.substring(2);
            } else {
                throw new UserFacingException("as a mount helper (txfs BACKING MOUNTPOINT -o OPTIONS) txfs takes only"
                        + " -o, not '" + a + "'");
            }
            for (String word : list.split(",")) {
                String w = word.trim();
                if (w.isEmpty()) continue;
                int eq = w.indexOf('=');
                String key = eq < 0 ? w : w.substring(0, eq);
                if (GENERIC.contains(key) || key.startsWith("x-") || key.equals("comment")) continue;
                if (key.equals("ro")) {
                    throw new UserFacingException("txfs mounts read-write only: drop 'ro' from the mount options");
                }
                if (VALUED.containsKey(key)) {
                    if (eq < 0) throw new UserFacingException("mount option " + key + " needs a value: " + key + "=…");
                    out.add(VALUED.get(key));
                    out.add(w.substring(eq + 1));
                } else if (key.equals("adopt")) {
                    out.add("--adopt");
                } else {
                    passed.add(w);
                }
            }
        }
        if (!passed.isEmpty()) {
            out.add("-o");
            out.add(String.join(",", passed));
        }
        out.add(args[0]);
        out.add(args[1]);
        return Optional.of(out);
    }
}
