package io.txfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Volume through the mount: one 1 GiB file, and 8 threads working on 1,000 files each at once. */
class PassthroughLoadIT {
    private static final int THREADS = 8;
    private static final int FILES_PER_THREAD = 1000;

    @RegisterExtension
    static final MountFixture MOUNT = MountFixture.passthrough();

    @Test
    void aOneGibFileIsWrittenAndReadBackIntact() throws IOException {
        TranscriptComparison.assertSameAsNative(MOUNT, "big.sh", Duration.ofMinutes(4));
        // The bytes reached the backing file itself, where the mount says they are.
        Path throughMount = MOUNT.mountpoint().resolve("big-sh/big");
        Path inBacking = MOUNT.backing().resolve("big-sh/big");
        assertEquals(1L << 30, Files.size(inBacking));
        try (RandomAccessFile a = new RandomAccessFile(throughMount.toFile(), "r");
                RandomAccessFile b = new RandomAccessFile(inBacking.toFile(), "r")) {
            byte[] fromMount = new byte[65536];
            byte[] fromBacking = new byte[65536];
            for (long offset = 0; offset < (1L << 30); offset += (1L << 30) / 16 + 4096 * 7) {
                a.seek(offset);
                a.readFully(fromMount);
                b.seek(offset);
                b.readFully(fromBacking);
                assertArrayEquals(fromBacking, fromMount, "64 KiB at offset " + offset);
            }
        }
        Files.delete(throughMount);
        assertTrue(Files.notExists(inBacking), "deleting through the mount deleted the backing file");
    }

    @Test
    void eightThreadsCreateWriteReadAndRemoveAThousandFilesEachAtOnce() throws Exception {
        Path dir = Files.createDirectory(MOUNT.mountpoint().resolve("concurrent"));
        Path backingDir = MOUNT.backing().resolve("concurrent");
        CyclicBarrier barrier = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    barrier.await();
                    for (int i = 0; i < FILES_PER_THREAD; i++) {
                        Path file = dir.resolve(name(thread, i));
                        Files.write(file, content(thread, i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                        assertArrayEquals(content(thread, i), Files.readAllBytes(file), file.toString());
                    }
                    barrier.await();
                    // Everyone's files, not only one's own, once all are written.
                    int neighbour = (thread + 1) % THREADS;
                    for (int i = 0; i < FILES_PER_THREAD; i++) {
                        assertArrayEquals(content(neighbour, i), Files.readAllBytes(dir.resolve(name(neighbour, i))));
                        assertEquals(content(thread, i).length, Files.size(dir.resolve(name(thread, i))));
                    }
                    return null;
                }));
            }
            awaitAll(work);

            Set<String> expected = new TreeSet<>();
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < FILES_PER_THREAD; i++) {
                    expected.add(name(t, i));
                }
            }
            assertEquals(expected, names(dir), "listing through the mount");
            assertEquals(expected, names(backingDir), "listing of the backing directory");
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < FILES_PER_THREAD; i += 97) {
                    assertArrayEquals(
                            content(t, i), Files.readAllBytes(backingDir.resolve(name(t, i))), "backing " + name(t, i));
                }
            }

            work.clear();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    barrier.await();
                    for (int i = 0; i < FILES_PER_THREAD; i++) {
                        Path file = dir.resolve(name(thread, i));
                        Files.delete(file);
                        assertTrue(Files.notExists(file), file + " is gone");
                    }
                    return null;
                }));
            }
            awaitAll(work);
            assertEquals(Set.of(), names(dir), "empty through the mount");
            assertEquals(Set.of(), names(backingDir), "empty in the backing directory");
            Files.delete(dir);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "worker threads ended");
        }
    }

    private static void awaitAll(List<Future<?>> work) throws Exception {
        for (Future<?> f : work) {
            f.get(3, TimeUnit.MINUTES);
        }
    }

    private static String name(int thread, int i) {
        return "t" + thread + "-f" + i;
    }

    /** Distinct, reproducible content per file; sizes from 1 byte to 12 KiB cross page boundaries. */
    private static byte[] content(int thread, int i) {
        Random random = new Random(thread * 1_000_003L + i);
        byte[] data = new byte[1 + random.nextInt(12 * 1024)];
        random.nextBytes(data);
        return data;
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
