package io.txfs.fuse.passthrough;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.txfs.fuse.FuseMount;
import io.txfs.fuse.MountOptions;
import io.txfs.fuse.proto.InitFlags;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounts PassthroughFilesystem for real and uses it through java.nio, checking the backing too. */
class PassthroughMountTest {
    @TempDir
    Path tmp;

    static void requireFuse() {
        boolean present = Files.exists(Path.of("/dev/fuse"));
        if (!present) {
            System.err.println("SKIPPING real-mount test: /dev/fuse is absent on this machine");
        }
        Assumptions.assumeTrue(present, "/dev/fuse is absent");
    }

    static boolean mounted(Path mp) throws IOException {
        String target = " " + mp.toAbsolutePath().normalize() + " ";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(target));
    }

    static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void fileOperationsReachTheBackingDirectory() throws Exception {
        requireFuse();
        Path backing = Files.createDirectory(tmp.resolve("backing"));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Files.writeString(backing.resolve("pre-existing"), "old");
        PassthroughFilesystem fs = new PassthroughFilesystem(backing);
        FuseMount m =
                FuseMount.mount(mp, fs, MountOptions.builder().fsName("pt-test").build());
        try {
            assertEquals("old", Files.readString(mp.resolve("pre-existing")));

            Files.writeString(mp.resolve("a.txt"), "hello");
            assertEquals("hello", Files.readString(backing.resolve("a.txt")));
            assertEquals(5, Files.size(mp.resolve("a.txt")));
            Files.writeString(mp.resolve("a.txt"), " world", StandardOpenOption.APPEND);
            assertEquals("hello world", Files.readString(mp.resolve("a.txt")));

            byte[] big = new byte[3 << 20];
            new Random(1).nextBytes(big);
            Files.write(mp.resolve("big"), big);
            assertArrayEquals(big, Files.readAllBytes(mp.resolve("big")));
            assertArrayEquals(big, Files.readAllBytes(backing.resolve("big")));

            Files.createDirectory(mp.resolve("dir"));
            Files.writeString(mp.resolve("dir/inner"), "x");
            assertEquals(List.of("a.txt", "big", "dir", "pre-existing"), list(mp));
            assertEquals(List.of("inner"), list(mp.resolve("dir")));
            assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(mp.resolve("dir")));
            assertThrows(FileAlreadyExistsException.class, () -> Files.createDirectory(mp.resolve("dir")));
            assertThrows(NoSuchFileException.class, () -> Files.readString(mp.resolve("missing")));

            Files.move(mp.resolve("a.txt"), mp.resolve("dir/b.txt"), StandardCopyOption.ATOMIC_MOVE);
            assertFalse(Files.exists(backing.resolve("a.txt")));
            assertEquals("hello world", Files.readString(backing.resolve("dir/b.txt")));

            Files.createLink(mp.resolve("hard"), mp.resolve("dir/b.txt"));
            assertEquals(2, (int) Files.getAttribute(mp.resolve("hard"), "unix:nlink"));
            assertEquals(
                    Files.getAttribute(backing.resolve("hard"), "unix:ino"),
                    Files.getAttribute(mp.resolve("hard"), "unix:ino"));

            Files.createSymbolicLink(mp.resolve("sym"), Path.of("dir/b.txt"));
            assertEquals(Path.of("dir/b.txt"), Files.readSymbolicLink(mp.resolve("sym")));
            assertEquals("hello world", Files.readString(mp.resolve("sym")));

            Files.setPosixFilePermissions(mp.resolve("hard"), PosixFilePermissions.fromString("rwx------"));
            assertEquals(
                    "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backing.resolve("hard"))));

            try (FileChannel ch = FileChannel.open(mp.resolve("big"), StandardOpenOption.WRITE)) {
                ch.truncate(10);
            }
            assertEquals(10, Files.size(backing.resolve("big")));

            UserDefinedFileAttributeView x =
                    Files.getFileAttributeView(mp.resolve("hard"), UserDefinedFileAttributeView.class);
            x.write("k", StandardCharsets.UTF_8.encode("v1"));
            assertEquals(List.of("k"), x.list());
            ByteBuffer v = ByteBuffer.allocate(16);
            x.read("k", v);
            assertEquals("v1", new String(v.array(), 0, v.position(), StandardCharsets.UTF_8));
            x.delete("k");
            assertTrue(x.list().isEmpty());

            Files.delete(mp.resolve("hard"));
            Files.delete(mp.resolve("dir/b.txt"));
            Files.delete(mp.resolve("dir/inner"));
            Files.delete(mp.resolve("dir"));
            assertFalse(Files.exists(backing.resolve("dir")));
            FileSystemException tooLong =
                    assertThrows(FileSystemException.class, () -> Files.writeString(mp.resolve("n".repeat(256)), "x"));
            assertTrue(tooLong.getMessage().contains("File name too long"), tooLong.getMessage());
        } finally {
            m.close();
        }
        assertFalse(mounted(mp));
    }

    @Test
    void mountpointMayBeTheBackingDirectoryItself() throws Exception {
        requireFuse();
        Path dir = Files.createDirectory(tmp.resolve("same"));
        Files.writeString(dir.resolve("f"), "under");
        FuseMount m = FuseMount.mount(dir, new PassthroughFilesystem(dir), MountOptions.defaults());
        try {
            assertTrue(mounted(dir));
            assertEquals("under", Files.readString(dir.resolve("f")));
            Files.writeString(dir.resolve("g"), "through");
            assertEquals(List.of("f", "g"), list(dir));
        } finally {
            m.close();
        }
        assertFalse(mounted(dir));
        assertEquals("through", Files.readString(dir.resolve("g")));
    }

    @Test
    void externalUnmountEndsTheSession() throws Exception {
        requireFuse();
        Path backing = Files.createDirectory(tmp.resolve("b"));
        Path mp = Files.createDirectory(tmp.resolve("m"));
        FuseMount m = FuseMount.mount(mp, new PassthroughFilesystem(backing), MountOptions.defaults());
        try {
            FuseMount.unmount(mp);
            m.awaitTermination();
            assertFalse(mounted(mp));
            assertThrows(IOException.class, () -> FuseMount.unmount(mp));
            assertFalse(FuseMount.clearStaleMount(mp));
        } finally {
            m.close();
        }
    }

    @Test
    void overlappingOpensOfOneFileWorkWithKernelPassthrough() throws Exception {
        requireFuse();
        Path backing = Files.createDirectory(tmp.resolve("pb"));
        Path mp = Files.createDirectory(tmp.resolve("pm"));
        Files.writeString(backing.resolve("f"), "0123456789");
        FuseMount m = FuseMount.mount(mp, new PassthroughFilesystem(backing, true), MountOptions.defaults());
        try {
            assertTrue(
                    m.negotiated().backingFiles().isPresent() || !m.negotiated().has(InitFlags.PASSTHROUGH));
            try (FileChannel r = FileChannel.open(mp.resolve("f"), StandardOpenOption.READ);
                    FileChannel w = FileChannel.open(
                            mp.resolve("f"), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                w.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer got = ByteBuffer.allocate(16);
                r.read(got, 0);
                assertEquals("abc", new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
            }
            assertEquals("abc", Files.readString(backing.resolve("f")));
            // mmap is covered by it-tests (mapping.py): a MappedByteBuffer would keep the mount busy until GC
            try (FileChannel a = FileChannel.open(mp.resolve("f"), StandardOpenOption.APPEND)) {
                a.write(ByteBuffer.wrap("d".getBytes(StandardCharsets.US_ASCII)));
            }
            assertEquals("abcd", Files.readString(mp.resolve("f")));
        } finally {
            m.close();
        }
    }

    @Test
    void withoutKernelPassthroughTheDaemonServesTheData() throws Exception {
        requireFuse();
        Path backing = Files.createDirectory(tmp.resolve("nb"));
        Path mp = Files.createDirectory(tmp.resolve("nm"));
        FuseMount m = FuseMount.mount(
                mp,
                new PassthroughFilesystem(backing, false),
                MountOptions.parse("nopassthrough,readers=1").build());
        try {
            assertFalse(m.negotiated().backingFiles().isPresent());
            assertFalse(m.negotiated().has(InitFlags.PASSTHROUGH));
            Files.writeString(mp.resolve("f"), "daemon");
            assertEquals("daemon", Files.readString(mp.resolve("f")));
            assertEquals("daemon", Files.readString(backing.resolve("f")));
        } finally {
            m.close();
        }
    }
}
