package io.txfs.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads /proc/self/mountinfo: is something mounted at a path, and of which filesystem type. */
final class MountTable {
    private MountTable() {
    }

    /** The filesystem type of the topmost mount exactly at {@code mountpoint}, if any. */
    static Optional<String> typeAt(Path mountpoint) {
        String want = mountpoint.toAbsolutePath().normalize().toString();
        String found = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length < 5 || !unescape(f[4]).equals(want)) {
                    continue;
                }
                int dash = line.indexOf(" - ");
                if (dash >= 0) {
                    // later lines are mounted on top of earlier ones
                    found = line.substring(dash + 3).split(" ")[0];
                }
            }
        } catch (IOException e) {
            throw new UserFacingException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
        return Optional.ofNullable(found);
    }

    static boolean isFuseMountAt(Path mountpoint) {
        return typeAt(mountpoint).map(t -> t.equals("fuse") || t.startsWith("fuse.")).orElse(false);
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
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
