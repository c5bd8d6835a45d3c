package io.txfs.tools;

import io.txfs.fuse.FuseMount;
import io.txfs.sys.LibC;
import io.txfs.sys.MountInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The usual reasons txfs will not mount or serve, each checked on this machine and, when it fails, the fix
 * in one line ({@code txfs doctor}). A failed check is something that stops txfs; a warning something that
 * limits it.
 */
final class Doctor {
    enum Level {
        OK,
        WARN,
        FAIL
    }

    record Finding(Level level, String check, String detail, String fix) {
        String line() {
            return String.format("%-4s %s: %s%s", level, check, detail, fix.isEmpty() ? "" : " — fix: " + fix);
        }
    }

    private final boolean root = LibC.INSTANCE.getuid() == 0;
    private final List<Finding> findings = new ArrayList<>();

    /** Every check, in the order a first mount meets them. */
    static List<Finding> examine(Path stateBase) {
        Doctor d = new Doctor();
        d.fuseDevice();
        d.fusermount();
        d.fuseConf();
        d.fusectl();
        d.userNamespaces();
        d.staleMounts();
        d.stateDirectories(stateBase);
        return d.findings;
    }

    private void add(Level level, String check, String detail, String fix) {
        findings.add(new Finding(level, check, detail, fix));
    }

    private void fuseDevice() {
        Path dev = Path.of("/dev/fuse");
        if (!Files.exists(dev)) {
            add(Level.FAIL, "/dev/fuse", "missing", "modprobe fuse (in a container: docker run --device /dev/fuse)");
            return;
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dev);
            boolean forAll =
                    p.contains(PosixFilePermission.OTHERS_READ) && p.contains(PosixFilePermission.OTHERS_WRITE);
            if (forAll) {
                add(Level.OK, "/dev/fuse", "present, usable by every user", "");
            } else {
                add(
                        root ? Level.WARN : Level.FAIL,
                        "/dev/fuse",
                        "mode " + java.nio.file.attribute.PosixFilePermissions.toString(p)
                                + ": only root may mount (fusermount3 opens it as the user)",
                        "chmod 0666 /dev/fuse, as Debian's udev rule sets it");
            }
        } catch (IOException e) {
            add(Level.WARN, "/dev/fuse", "cannot read its mode: " + e.getMessage(), "");
        }
    }

    private void fusermount() {
        Path f = Path.of("/usr/bin/fusermount3");
        if (!Files.isExecutable(f)) {
            add(root ? Level.WARN : Level.FAIL, "fusermount3", "missing: users cannot mount", "apt-get install fuse3");
            return;
        }
        try {
            boolean setuid = ((Integer) Files.getAttribute(f, "unix:mode") & 04000) != 0
                    && (Integer) Files.getAttribute(f, "unix:uid") == 0;
            add(
                    setuid ? Level.OK : root ? Level.WARN : Level.FAIL,
                    "fusermount3",
                    setuid ? "installed, setuid root" : "not setuid root: users cannot mount",
                    setuid ? "" : "chown root " + f + " && chmod u+s " + f + " (or reinstall fuse3)");
        } catch (IOException | UnsupportedOperationException e) {
            add(Level.WARN, "fusermount3", "cannot read its mode: " + e.getMessage(), "");
        }
    }

    private void fuseConf() {
        Path conf = Path.of("/etc/fuse.conf");
        boolean allowed = false;
        try {
            allowed = Files.isReadable(conf)
                    && Files.readAllLines(conf).stream().anyMatch(l -> l.trim().equals("user_allow_other"));
        } catch (IOException ignored) {
            // unreadable: as if absent
        }
        add(
                allowed ? Level.OK : Level.WARN,
                "/etc/fuse.conf",
                allowed
                        ? "user_allow_other is set: users' mounts may use -o allow_other"
                        : "user_allow_other is not set: a user's mount is that user's only",
                allowed ? "" : "add a line user_allow_other to /etc/fuse.conf if users must share their mounts");
    }

    private void fusectl() {
        boolean mounted = Files.isDirectory(Path.of("/sys/fs/fuse/connections"))
                && mounts().stream().anyMatch(m -> m.fsType().equals("fusectl"));
        add(
                mounted ? Level.OK : Level.WARN,
                "fusectl",
                mounted
                        ? "mounted: an unmount can end a connection held in other namespaces"
                        : "not mounted: a daemon held by other mount namespaces cannot be ended by txfs unmount",
                mounted ? "" : "mount -t fusectl none /sys/fs/fuse/connections");
    }

    private void userNamespaces() {
        if (root) return;
        boolean allowed = RunCommand.userNamespacesAllowed();
        add(
                allowed ? Level.OK : Level.WARN,
                "user namespaces",
                allowed
                        ? "allowed: txfs run binds the view's root for a user"
                        : "not allowed for users: txfs run uses the shared root",
                allowed ? "" : "sysctl kernel.unprivileged_userns_clone=1 (Debian) or allow it in AppArmor (Ubuntu)");
    }

    private void staleMounts() {
        int live = 0;
        for (MountInfo.Mount m : mounts()) {
            if (!m.fsType().equals("fuse.txfs")) continue;
            if (FuseMount.isDead(Path.of(m.mountPoint()))) {
                add(
                        Level.FAIL,
                        "mount " + m.mountPoint(),
                        "dead (its daemon is gone; every access says ENOTCONN)",
                        "txfs unmount " + m.mountPoint() + " (or txfs mount again with the same state directory)");
            } else {
                live++;
            }
        }
        add(Level.OK, "txfs mounts", live + " live", "");
    }

    /** The default state directories of this user: theirs, 0700, one per mount. */
    private void stateDirectories(Path base) {
        if (!Files.isDirectory(base)) {
            add(Level.OK, "state directories", "none yet under " + base, "");
            return;
        }
        int good = 0;
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                int uid = (Integer) Files.getAttribute(d, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(d, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
                if (uid != LibC.INSTANCE.getuid()) {
                    add(
                            Level.FAIL,
                            "state directory " + d,
                            "owned by uid " + uid + ", not by you",
                            "chown -R " + LibC.INSTANCE.getuid() + " " + d);
                } else if (mode != 0700) {
                    add(
                            Level.FAIL,
                            "state directory " + d,
                            "mode " + Integer.toOctalString(mode) + ": others may read views' pending changes",
                            "chmod 0700 " + d);
                } else {
                    good++;
                }
            }
        } catch (IOException | RuntimeException e) {
            add(Level.WARN, "state directories", "cannot list " + base + ": " + e.getMessage(), "");
            return;
        }
        add(Level.OK, "state directories", good + " in order under " + base, "");
    }

    private static List<MountInfo.Mount> mounts() {
        try {
            return MountInfo.self();
        } catch (IOException e) {
            return List.of();
        }
    }
}
