package io.txfs.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts a process sees, from {@code /proc/PID/mountinfo} (proc(5)): the one parser of that file.
 * A line is {@code id parent major:minor root mountpoint options [optional...] - fstype source
 * superoptions}; paths escape space, tab, newline and backslash as {@code \ooo} octal.
 */
public final class MountInfo {
    /** One line: the fields txfs looks at, paths unescaped. */
    public record Mount(
            long id,
            long parent,
            int major,
            int minor,
            String root,
            String mountPoint,
            String mountOptions,
            String fsType,
            String source,
            String superOptions) {
        public boolean isFuse() {
            return fsType.equals("fuse") || fsType.startsWith("fuse.");
        }
    }

    private MountInfo() {}

    /** The mounts of this process, in the file's order (a later mount at a path is on top). */
    public static List<Mount> self() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
    }

    /** The mounts process {@code pid} sees (its own mount namespace). */
    public static List<Mount> of(long pid) throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"), StandardCharsets.UTF_8));
    }

    /** The topmost mount exactly at {@code mountPoint} among {@code mounts}. */
    public static Optional<Mount> topmostAt(List<Mount> mounts, Path mountPoint) {
        String wanted = mountPoint.toAbsolutePath().normalize().toString();
        Mount found = null;
        for (Mount m : mounts) {
            if (m.mountPoint().equals(wanted)) {
                found = m; // later lines are mounted on top of earlier ones
            }
        }
        return Optional.ofNullable(found);
    }

    /** The topmost mount of this process exactly at {@code mountPoint}. */
    public static Optional<Mount> at(Path mountPoint) throws IOException {
        return topmostAt(self(), mountPoint);
    }

    /** Lines that do not have the documented shape are skipped. */
    static List<Mount> parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 6 || f.length < dash + 4) {
                continue;
            }
            int colon = f[2].indexOf(':');
            try {
                mounts.add(new Mount(
                        Long.parseLong(f[0]),
                        Long.parseLong(f[1]),
                        Integer.parseInt(f[2].substring(0, colon)),
                        Integer.parseInt(f[2].substring(colon + 1)),
                        unescape(f[3]),
                        unescape(f[4]),
                        f[5],
                        f[dash + 1],
                        unescape(f[dash + 2]),
                        f[dash + 3]));
            } catch (RuntimeException malformed) {
                // not a line of the documented shape: skipped like a short one
            }
        }
        return mounts;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
