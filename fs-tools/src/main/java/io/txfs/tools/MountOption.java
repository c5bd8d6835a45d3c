package io.txfs.tools;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --mount} for commands that talk to a running mount. */
final class MountOption {
    @Option(
            names = "--mount",
            paramLabel = "MOUNTPOINT",
            description = "The mount to act on (default: the one containing the working directory).")
    Path mount;

    Path controlFile() {
        return MountLocator.controlFile(mount);
    }
}
