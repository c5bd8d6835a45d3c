package io.txfs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Group names to numbers, from /etc/group (Java offers names only through principals without their gid). */
final class Groups {
    private Groups() {}

    /** A number as it is, or the gid of a name listed in /etc/group; empty when neither. */
    static OptionalLong gidOf(String group) {
        if (group.matches("[0-9]+")) {
            return OptionalLong.of(Long.parseLong(group));
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[0].equals(group) && f[2].matches("[0-9]+")) {
                    return OptionalLong.of(Long.parseLong(f[2]));
                }
            }
        } catch (IOException e) {
            throw new UserFacingException("cannot read /etc/group: " + e.getMessage(), e);
        }
        return OptionalLong.empty();
    }
}
