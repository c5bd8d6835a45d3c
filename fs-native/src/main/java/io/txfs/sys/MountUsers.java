package io.txfs.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which processes use a mounted filesystem, found as fuser(1) and lsof do, from /proc: a working or root
 * directory on it, an open descriptor on it, a file of it mapped into memory. Also which mount namespaces
 * hold a copy of the mount: an unmount removes it from one namespace only.
 *
 * <p>Nothing here asks the filesystem itself: a FUSE daemon scans its own mount with it, and a request
 * to itself from a thread it cannot interrupt would make the daemon unkillable. The links under
 * /proc/PID are followed by statx with AT_STATX_DONT_SYNC and no field asked: the kernel answers the
 * device from the superblock, never sending the daemon a GETATTR.
 */
public final class MountUsers {
    private static final Path PROC = Path.of("/proc");
    private static final int STATX_SIZE = 256;
    private static final int STX_DEV_MAJOR = 136;
    private static final int STX_DEV_MINOR = 140;

    /** One process using the mount, and how: "working directory", "root directory", "open file", "mapped file". */
    public record User(long pid, int uid, String command, Set<String> how) {
        public String describe() {
            return "pid " + pid + " (" + command + ", uid " + uid + "): " + String.join(", ", how);
        }
    }

    /** The processes using the mount, and one process of each other mount namespace holding a copy of it. */
    public record Report(List<User> users, List<Long> namespaceHolders) {}

    private final int major;
    private final int minor;
    private final ByteBuffer statx = ByteBuffer.allocateDirect(STATX_SIZE).order(ByteOrder.nativeOrder());

    private MountUsers(int major, int minor) {
        this.major = major;
        this.minor = minor;
    }

    /**
     * Scans every process this one may look into (root: all; anyone else: its own). {@code exceptPid}:
     * a process not to count (the caller's own, say), or -1.
     */
    public static Report of(int major, int minor, long exceptPid) {
        return new MountUsers(major, minor).scan(exceptPid);
    }

    private Report scan(long exceptPid) {
        List<User> users = new ArrayList<>();
        Map<String, Long> namespaces = new HashMap<>();
        String ownNamespace = link(PROC.resolve("self/ns/mnt"));
        try (DirectoryStream<Path> procs =
                Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == exceptPid) continue;
                Set<String> how = how(proc);
                if (!how.isEmpty()) users.add(new User(pid, uid(proc), command(proc), how));
                String ns = link(proc.resolve("ns/mnt"));
                if (ns != null && !ns.equals(ownNamespace) && !namespaces.containsKey(ns) && holdsCopy(proc)) {
                    namespaces.put(ns, pid);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        users.sort((a, b) -> Long.compare(a.pid(), b.pid()));
        List<Long> holders = new ArrayList<>(namespaces.values());
        holders.sort(Long::compare);
        return new Report(users, holders);
    }

    /** The ways this process uses the mount; empty when it does not, or has gone, or may not be looked into. */
    private Set<String> how(Path proc) {
        Set<String> how = new LinkedHashSet<>();
        if (onMount(proc.resolve("cwd"))) how.add("working directory");
        if (onMount(proc.resolve("root"))) how.add("root directory");
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                if (onMount(fd)) {
                    how.add("open file");
                    break;
                }
            }
        } catch (IOException | SecurityException gone) {
            // exited meanwhile, or another user's process
        }
        if (maps(proc)) how.add("mapped file");
        return how;
    }

    private boolean onMount(Path magicLink) {
        statx.clear();
        if (LibC.INSTANCE.statx(Sys.AT_FDCWD, magicLink.toString(), Sys.AT_STATX_DONT_SYNC, 0, statx) != 0) {
            return false;
        }
        return statx.getInt(STX_DEV_MAJOR) == major && statx.getInt(STX_DEV_MINOR) == minor;
    }

    /** /proc/PID/maps: {@code address perms offset MAJOR:MINOR inode path}, the device in hex. */
    private boolean maps(Path proc) {
        String wanted = String.format("%02x:%02x", major, minor);
        try {
            for (String line : Files.readAllLines(proc.resolve("maps"), StandardCharsets.ISO_8859_1)) {
                String[] f = line.split(" +", 6);
                if (f.length >= 5 && f[3].equals(wanted) && !f[4].equals("0")) return true;
            }
        } catch (IOException | SecurityException gone) {
            // exited meanwhile, or another user's process
        }
        return false;
    }

    private boolean holdsCopy(Path proc) {
        try {
            for (MountInfo.Mount m :
                    MountInfo.of(Long.parseLong(proc.getFileName().toString()))) {
                if (m.major() == major && m.minor() == minor) return true;
            }
        } catch (IOException | RuntimeException gone) {
            // exited meanwhile, or another user's process
        }
        return false;
    }

    private static String command(Path proc) {
        try {
            return Files.readString(proc.resolve("comm"), StandardCharsets.UTF_8)
                    .trim();
        } catch (IOException gone) {
            return "?";
        }
    }

    private static int uid(Path proc) {
        try {
            return (Integer) Files.getAttribute(proc, "unix:uid");
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}
