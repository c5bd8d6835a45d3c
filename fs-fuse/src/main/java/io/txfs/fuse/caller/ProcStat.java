package io.txfs.fuse.caller;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The fields of {@code /proc/PID/stat} that decide a process's view: its parent, session and start
 * time (clock ticks since boot, which with the pid names one process for the life of the system).
 */
public record ProcStat(int pid, int ppid, int session, long startTime) {

    /** Reads {@code /proc/PID/stat}; a thread id works too (the kernel keeps hidden entries for threads). */
    public static ProcStat read(int pid) throws NoSuchProcessException {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new NoSuchProcessException(pid);
        } catch (IOException e) {
            // ESRCH while the process is being reaped reads as an I/O error
            throw new NoSuchProcessException(pid);
        }
        return parse(pid, line);
    }

    /** The comm field may hold spaces and parentheses, so fields are counted after its last ')'. */
    static ProcStat parse(int pid, String line) {
        int close = line.lastIndexOf(')');
        if (close < 0 || close + 2 > line.length()) {
            throw new IllegalArgumentException("malformed /proc/" + pid + "/stat");
        }
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); field N is f[N - 3]
        if (f.length < 20) {
            throw new IllegalArgumentException("malformed /proc/" + pid + "/stat: " + f.length + " fields");
        }
        return new ProcStat(pid, Integer.parseInt(f[1]), Integer.parseInt(f[3]), Long.parseLong(f[19]));
    }

    /** The thread group (process) a thread id belongs to, from {@code Tgid:} in /proc/TID/status. */
    public static int threadGroupOf(int tid) throws NoSuchProcessException {
        try {
            for (String l : Files.readAllLines(
                    Path.of("/proc", Integer.toString(tid), "status"), StandardCharsets.ISO_8859_1)) {
                if (l.startsWith("Tgid:")) {
                    return Integer.parseInt(l.substring(5).trim());
                }
            }
        } catch (IOException e) {
            throw new NoSuchProcessException(tid);
        }
        throw new NoSuchProcessException(tid);
    }

    public ProcessKey key() {
        return new ProcessKey(pid, startTime);
    }
}
