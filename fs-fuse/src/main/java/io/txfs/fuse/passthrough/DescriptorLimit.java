package io.txfs.fuse.passthrough;

import io.txfs.sys.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's open-descriptor limit (RLIMIT_NOFILE). */
final class DescriptorLimit {
    private static final LibC C = LibC.INSTANCE;

    private DescriptorLimit() {}

    /**
     * Every inode the kernel holds costs one O_PATH descriptor (plus one per open file), so a tree of
     * many thousand files needs far more than the usual soft limit: raise it as far as allowed.
     */
    static void raise() {
        final int rlimitNofile = 7;
        ByteBuffer rl = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        if (C.getrlimit(rlimitNofile, rl) != 0) {
            return;
        }
        long want = 1 << 20;
        try {
            want = Math.min(
                    want,
                    Long.parseLong(
                            Files.readString(Path.of("/proc/sys/fs/nr_open")).trim()));
        } catch (IOException | NumberFormatException e) {
            want = Math.min(want, rl.getLong(8));
        }
        if (rl.getLong(0) >= want) {
            return;
        }
        ByteBuffer raised = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        raised.putLong(0, want).putLong(8, Math.max(want, rl.getLong(8)));
        if (C.setrlimit(rlimitNofile, raised) != 0) {
            // without CAP_SYS_RESOURCE only the soft limit can move, up to the hard one
            raised.putLong(0, rl.getLong(8)).putLong(8, rl.getLong(8));
            C.setrlimit(rlimitNofile, raised);
        }
    }
}
