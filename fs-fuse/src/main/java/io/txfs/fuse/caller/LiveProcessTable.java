package io.txfs.fuse.caller;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads /proc. Start times are in USER_HZ ticks (100 per second on Linux) since boot. */
final class LiveProcessTable implements ProcessTable {
    private static final long TICKS_PER_SECOND = 100;

    @Override
    public ProcStat stat(int pid) throws NoSuchProcessException {
        return ProcStat.read(pid);
    }

    @Override
    public int threadGroupOf(int tid) throws NoSuchProcessException {
        return ProcStat.threadGroupOf(tid);
    }

    @Override
    public long nowTicks() {
        try {
            // "12345.67 ..." seconds since boot, from the same clock as a task's start time
            String up = Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII);
            String secs = up.substring(0, up.indexOf(' '));
            int dot = secs.indexOf('.');
            long whole = Long.parseLong(secs.substring(0, dot));
            long frac = Long.parseLong(secs.substring(dot + 1, dot + 3));
            return whole * TICKS_PER_SECOND + frac;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/uptime", e);
        }
    }
}
