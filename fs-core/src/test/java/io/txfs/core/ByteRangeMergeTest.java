package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.PublishConflictException;
import io.txfs.core.store.MemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code publish --merge bytes}: two views changing different chunks of one file both publish, the file
 * holding both changes; the same chunk, a size change, a flush in between, or both changing the mode stay
 * conflicts; without the option every one is a conflict.
 */
class ByteRangeMergeTest {
    private static final int C = Engine.CHUNK;

    @TempDir
    Path tmp;

    private byte[] original;

    private Engine open(String store) throws IOException {
        Path b = Files.createDirectories(tmp.resolve("backing"));
        original = new byte[4 * C];
        for (int i = 0; i < original.length; i++) original[i] = (byte) (i % 251);
        Files.write(b.resolve("image.bin"), original);
        if (store.equals("rocks")) return Engine.open(EngineConfig.rocks(b, tmp.resolve("state")));
        return Engine.open(EngineConfig.memory(b, new MemoryStore()));
    }

    private static byte[] filled(int n, int seed) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) seed);
        return x;
    }

    private TestFs view(Engine e, String name) {
        return new TestFs(e, e.createView(name, Isolation.SNAPSHOT, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void differentChunksMerge(String store) throws Exception {
        try (Engine e = open(store)) {
            TestFs a = view(e, "a");
            TestFs b = view(e, "b");
            e.write(a.view, a.ino("image.bin"), 10, filled(100, 1)); // chunk 0
            e.write(b.view, b.ino("image.bin"), 3L * C + 5, filled(200, 2)); // chunk 3
            e.write(b.view, b.ino("image.bin"), C + C / 2, filled(C, 3)); // chunks 1 and 2
            e.publish(a.view, false);
            assertThrows(PublishConflictException.class, () -> e.publish(b.view, false), "not asked: a conflict");
            e.publish(b.view, false, true);

            byte[] want = original.clone();
            System.arraycopy(filled(100, 1), 0, want, 10, 100);
            System.arraycopy(filled(200, 2), 0, want, 3 * C + 5, 200);
            System.arraycopy(filled(C, 3), 0, want, C + C / 2, C);
            assertArrayEquals(want, new TestFs(e, e.published()).readBytes("image.bin"), "both changes");
            assertArrayEquals(want, b.readBytes("image.bin"), "the publisher sees the merged file");
            e.flush();
            assertArrayEquals(want, Files.readAllBytes(tmp.resolve("backing/image.bin")), "and so does BACKING");
        }
    }

    @Test
    void theSameChunkASizeChangeOrBothModesStayConflicts() throws Exception {
        try (Engine e = open("memory")) {
            TestFs a = view(e, "a");
            TestFs b = view(e, "b");
            e.write(a.view, a.ino("image.bin"), 0, filled(10, 1));
            e.write(b.view, b.ino("image.bin"), C - 10, filled(5, 2)); // also chunk 0
            e.publish(a.view, false);
            assertEquals(
                    List.of("/image.bin"),
                    assertThrows(PublishConflictException.class, () -> e.publish(b.view, false, true))
                            .paths());
            e.abort(b.view);

            e.write(b.view, b.ino("image.bin"), 2L * C, filled(10, 2));
            TestFs c = view(e, "c");
            e.write(c.view, c.ino("image.bin"), 4L * C, filled(10, 3)); // grows the file
            e.publish(c.view, false);
            assertThrows(PublishConflictException.class, () -> e.publish(b.view, false, true), "a size change");
            e.abort(b.view);

            TestFs d = view(e, "d");
            e.setattr(b.view, b.ino("image.bin"), AttributeChange.perm(0600));
            e.write(b.view, b.ino("image.bin"), 0, filled(1, 4));
            e.setattr(d.view, d.ino("image.bin"), AttributeChange.perm(0640));
            e.write(d.view, d.ino("image.bin"), 3L * C, filled(1, 5));
            e.publish(d.view, false);
            assertThrows(PublishConflictException.class, () -> e.publish(b.view, false, true), "both changed the mode");
        }
    }

    @Test
    void oneSidesModeChangeIsKept() throws Exception {
        try (Engine e = open("memory")) {
            TestFs a = view(e, "a");
            TestFs b = view(e, "b");
            e.setattr(a.view, a.ino("image.bin"), AttributeChange.perm(0600));
            e.write(a.view, a.ino("image.bin"), 0, filled(1, 1));
            e.write(b.view, b.ino("image.bin"), 3L * C, filled(1, 2));
            e.publish(a.view, false);
            e.publish(b.view, false, true);
            TestFs pub = new TestFs(e, e.published());
            assertEquals(0600, pub.stat("image.bin").perm());
            assertEquals(1, pub.readBytes("image.bin")[0]);
            assertEquals(2, pub.readBytes("image.bin")[3 * C]);
        }
    }

    @Test
    void aFlushInBetweenIsAConflict() throws Exception {
        try (Engine e = open("memory")) {
            TestFs a = view(e, "a");
            TestFs b = view(e, "b");
            e.write(a.view, a.ino("image.bin"), 0, filled(1, 1));
            e.write(b.view, b.ino("image.bin"), 3L * C, filled(1, 2));
            e.publish(a.view, false);
            e.flush(); // the published record now names the rewritten backing file, not a's layer
            assertThrows(PublishConflictException.class, () -> e.publish(b.view, false, true));
        }
    }
}
