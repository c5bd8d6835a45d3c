package io.txfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounts {@link HelloFilesystem} for real: INIT, probe, lookups, reads, readdir, unmount. */
class HelloMountTest {
    @TempDir
    Path tmp;

    @Test
    void servesAndUnmounts() throws Exception {
        MountPreconditions.requireFuse();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        FuseMount m = FuseMount.mount(
                mp,
                new HelloFilesystem(),
                MountOptions.parse("readers=2,fsname=hello").build());
        try {
            assertEquals(7, m.negotiated().kernelMajor());
            assertTrue(m.negotiated().minor() >= 31, m.negotiated().toString());
            assertTrue(MountPreconditions.mounted(mp), "in /proc/mounts");
            assertEquals("hello, world\n", Files.readString(mp.resolve("hello")));
            try (Stream<Path> s = Files.list(mp)) {
                assertEquals(
                        List.of("hello"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
            }
            assertThrows(NoSuchFileException.class, () -> Files.size(mp.resolve("nope")));
            assertThrows(
                    AccessDeniedException.class,
                    () -> Files.newOutputStream(mp.resolve("hello"), StandardOpenOption.APPEND)
                            .close());
            assertTrue(m.notifier().invalInode(HelloFilesystem.HELLO, 0, 0));
            m.notifier().invalEntry(FuseFilesystem.ROOT_ID, "hello".getBytes(StandardCharsets.UTF_8));
        } finally {
            m.close();
        }
        assertFalse(MountPreconditions.mounted(mp), "unmounted");
        m.awaitTermination();
        m.close();
    }

    @Test
    void aDeadMountIsDetectedAndCleared() throws Exception {
        MountPreconditions.requireFuse();
        Path mp = Files.createDirectory(tmp.resolve("dead"));
        FuseMount m = FuseMount.mount(mp, new HelloFilesystem(), MountOptions.defaults());
        try {
            long dev = (Long) Files.getAttribute(mp, "unix:dev");
            long minor = (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
            Path connections = Path.of("/sys/fs/fuse/connections");
            if (!Files.exists(connections.resolve(Long.toString(minor)))) {
                new ProcessBuilder("mount", "-t", "fusectl", "fusectl", connections.toString())
                        .inheritIO()
                        .start()
                        .waitFor();
            }
            // what a SIGKILLed daemon leaves: the mount, with no one serving it
            Files.writeString(connections.resolve(Long.toString(minor)).resolve("abort"), "1");
            m.awaitTermination();
            assertTrue(MountPreconditions.mounted(mp), "the dead mount is still there");
            assertTrue(FuseMount.clearStaleMount(mp));
            assertFalse(MountPreconditions.mounted(mp));
            assertFalse(FuseMount.clearStaleMount(mp));
        } finally {
            m.close();
        }
    }

    @Test
    void aRootThatAnswersWithAnErrorStillCountsAsServing() throws Exception {
        MountPreconditions.requireFuse();
        Path mp = Files.createDirectory(tmp.resolve("grumpy"));
        FuseFilesystem grumpy = new HelloFilesystem() {
            @Override
            public AttrReply getattr(RequestContext ctx, long node, long fh) throws IOException {
                throw new FuseErrnoException(Errno.EACCES);
            }
        };
        FuseMount m = FuseMount.mount(mp, grumpy, MountOptions.defaults());
        try {
            assertTrue(MountPreconditions.mounted(mp));
            assertThrows(AccessDeniedException.class, () -> Files.readAttributes(mp, "unix:ino"));
        } finally {
            m.close();
        }
        assertFalse(MountPreconditions.mounted(mp));
    }
}
