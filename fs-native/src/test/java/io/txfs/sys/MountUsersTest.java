package io.txfs.sys;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scan finds this very process by each way it uses a filesystem, and not on another one. */
final class MountUsersTest {
    private static final long SELF = ProcessHandle.current().pid();

    private static Set<String> howSelfUses(Path onFilesystem) throws IOException {
        long dev = (Long) Files.getAttribute(onFilesystem, "unix:dev");
        return MountUsers.of((int) Sys.major(dev), (int) Sys.minor(dev), -1).users().stream()
                .filter(u -> u.pid() == SELF)
                .findFirst()
                .map(MountUsers.User::how)
                .orElse(Set.of());
    }

    @Test
    void workingDirectoryOpenAndMappedFilesAreFound() throws IOException {
        assertTrue(howSelfUses(Path.of(".").toAbsolutePath()).contains("working directory"));
        Path shm = Path.of("/dev/shm");
        assumeTrue(
                Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(Path.of("."))),
                "no /dev/shm apart from the working directory's filesystem to tell open and mapped files by");
        assertFalse(howSelfUses(shm).contains("working directory"), "the working directory is elsewhere");
        Path f = Files.createTempFile(shm, "mount-users", ".bin");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[4096]));
            assertTrue(howSelfUses(shm).contains("open file"), "an open descriptor");
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
            assertTrue(map.capacity() == 4096);
            assertTrue(howSelfUses(shm).contains("mapped file"), "a mapping");
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
