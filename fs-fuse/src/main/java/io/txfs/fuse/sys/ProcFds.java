package io.txfs.fuse.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What /proc tells of a process's open descriptor without touching the file itself (opening or
 * stat-ing /proc/PID/fd/N would be a call into whatever filesystem holds it).
 */
public final class ProcFds {
    private ProcFds() {
    }

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
     * own mountinfo (fields: id parent major:minor root point options [optional...] - type ...).
     */
    public static boolean onTxfsMount(long pid, int fd) throws IOException {
        String id = fdinfo(pid, fd, "mnt_id:");
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
            if (!line.startsWith(id + " ")) {
                continue;
            }
            int dash = line.indexOf(" - ");
            return dash >= 0 && line.substring(dash + 3).startsWith("fuse.txfs ");
        }
        return false;
    }
}
