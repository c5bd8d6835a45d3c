package io.txfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts this process sees, read from /proc/self/mountinfo. */
final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  /** One mountinfo line: the fields the tests look at. */
  record Mount(String mountPoint, String fsType, String source, String mountOptions, String superOptions) {
    boolean isFuse() {
      return fsType.equals("fuse") || fsType.startsWith("fuse.");
    }
  }

  private MountTable() {}

  static List<Mount> read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(MOUNTINFO);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Mount> mounts = new ArrayList<>();
    for (String line : lines) {
      // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
      String[] fields = line.split(" ");
      int dash = List.of(fields).indexOf("-");
      if (dash < 6 || fields.length < dash + 4) {
        continue;
      }
      mounts.add(new Mount(unescape(fields[4]), fields[dash + 1], unescape(fields[dash + 2]), fields[5],
          fields[dash + 3]));
    }
    return mounts;
  }

  /** The topmost mount at exactly this path, if any. */
  static Optional<Mount> at(Path mountPoint) {
    String wanted = mountPoint.toAbsolutePath().normalize().toString();
    Mount found = null;
    for (Mount mount : read()) {
      if (mount.mountPoint().equals(wanted)) {
        found = mount; // later lines are mounted on top of earlier ones
      }
    }
    return Optional.ofNullable(found);
  }

  /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        String octal = field.substring(i + 1, i + 4);
        if (octal.matches("[0-7]{3}")) {
          out.append((char) Integer.parseInt(octal, 8));
          i += 3;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
