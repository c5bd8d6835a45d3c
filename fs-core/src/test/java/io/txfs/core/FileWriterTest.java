package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flush's gathering writer writes exactly what positional writes would have. */
class FileWriterTest {
    @TempDir
    Path dir;

    @Test
    void gatheredWritesEqualPlainWrites() throws Exception {
        Random rnd = new Random(42);
        int size = FileWriter.BUFFER * 3 + 12345;
        byte[] expected = new byte[size];
        Path p = dir.resolve("f");
        // a little junk beyond and inside the range: the writer must overwrite it and cut the length
        byte[] junk = new byte[size + 1000];
        rnd.nextBytes(junk);
        Files.write(p, junk);
        byte[] junkCopy = junk.clone();
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw"); FileWriter w = new FileWriter(raf, 1 << 20)) {
            long pos = 0;
            while (pos < size) {
                int len = (int) Math.min(size - pos, 1 + rnd.nextInt(200_000));
                byte[] piece = new byte[len + 10];
                rnd.nextBytes(piece);
                int mode = rnd.nextInt(4);
                if (mode == 0) {
                    w.zeros(pos, len);
                } else if (mode == 1 && pos + len < size) {
                    // a gap: the file keeps its old bytes there
                    System.arraycopy(junkCopy, (int) pos, expected, (int) pos, len);
                } else {
                    w.write(pos, piece, 5, len);
                    System.arraycopy(piece, 5, expected, (int) pos, len);
                }
                pos += len;
            }
            w.finish(size);
        }
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void finishExtendsWithAHole() throws Exception {
        Path p = dir.resolve("g");
        Files.write(p, new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw"); FileWriter w = new FileWriter(raf)) {
            w.write(0, new byte[] {7, 8}, 0, 2);
            w.finish(100_000);
        }
        byte[] expected = new byte[100_000];
        expected[0] = 7;
        expected[1] = 8;
        assertArrayEquals(expected, Files.readAllBytes(p));
    }
}
