package io.txfs.tools;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the mount a command acts on: {@code --mount}, else the nearest ancestor of the working directory with a {@code .txfs/ctl}. */
final class MountLocator {
    private MountLocator() {}

    static Path controlFile(Path explicitMount) {
        if (explicitMount != null) {
            Path ctl = explicitMount.toAbsolutePath().normalize().resolve(".txfs/ctl");
            if (!Files.exists(ctl)) {
                throw new UserFacingException("no txfs mount at " + explicitMount + " (no " + ctl + ")");
            }
            return ctl;
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            Path ctl = d.resolve(".txfs/ctl");
            if (Files.exists(ctl)) {
                return ctl;
            }
        }
        throw new UserFacingException("not inside a txfs mount (" + cwd + "); use --mount MOUNTPOINT");
    }

    /** The mountpoint a control file belongs to. */
    static Path mountOf(Path ctl) {
        return ctl.getParent().getParent();
    }
}
