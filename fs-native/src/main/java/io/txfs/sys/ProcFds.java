package io.txfs.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What /proc tells of a process's open descriptor without touching the file itself (opening or
 * stat-ing /proc/PID/fd/N would be a call into whatever filesystem holds it).
 */
public final class ProcFds {
    private ProcFds() {}

    /** The value of one field of /proc/PID/fdinfo/FD ("flags:", "mnt_id:", ...). */
    public static String fdinfo(long pid, int fd, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
            if (line.startsWith(field)) {
                return line.substring(field.length()).trim();
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/fdinfo/" + fd);
    }

    /**
     * True if the descriptor lies on a mount of type fuse.txfs, found by its mount id in the process's
     * own mountinfo.
     */
    public static boolean onTxfsMount(long pid, int fd) throws IOException {
        long id = Long.parseLong(fdinfo(pid, fd, "mnt_id:"));
        for (MountInfo.Mount m : MountInfo.of(pid)) {
            if (m.id() == id) {
                return m.fsType().equals("fuse.txfs");
            }
        }
        return false;
    }
}
