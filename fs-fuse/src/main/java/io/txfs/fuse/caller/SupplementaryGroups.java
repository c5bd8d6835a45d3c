package io.txfs.fuse.caller;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's supplementary groups, from the "Groups:" line of /proc/PID/status. FUSE requests carry only
 * the caller's uid, gid and pid, so permission checks beyond the primary group must read them here.
 */
public final class SupplementaryGroups {
    private SupplementaryGroups() {}

    /** The groups of {@code pid}, at most {@code max} of them; IOException when the process is gone or unreadable. */
    public static int[] of(int pid, int max) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("Groups:")) {
                String rest = line.substring("Groups:".length()).trim();
                if (rest.isEmpty()) {
                    return new int[0];
                }
                String[] parts = rest.split("\\s+");
                int[] ids = new int[Math.min(parts.length, max)];
                try {
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = (int) Long.parseLong(parts[i]);
                    }
                } catch (NumberFormatException e) {
                    throw new IOException("unreadable Groups line in /proc/" + pid + "/status: " + line, e);
                }
                return ids;
            }
        }
        throw new IOException("no Groups line in /proc/" + pid + "/status");
    }
}
