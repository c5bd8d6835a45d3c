package io.txfs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import io.txfs.core.store.MemoryStore;
import io.txfs.core.tree.View;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TruncateExtendScratchTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"true,true,true", "true,false,true", "false,true,true", "true,true,false", "false,false,false"})
    void holeAfterShrinkReadsZeros(boolean publishAfterTruncate, boolean force, boolean publishBeforeTruncate)
            throws Exception {
        Path backing = Files.createDirectories(tmp.resolve("b"));
        try (Engine e = Engine.open(EngineConfig.memory(backing, new MemoryStore()))) {
            View v = e.createView("shared", Isolation.READ_COMMITTED, 0);
            long ino =
                    e.create(v, Engine.ROOT, "f".getBytes(), 0644, Caller.ROOT).ino();
            byte[] a = new byte[65536];
            Arrays.fill(a, (byte) 'a');
            e.write(v, ino, 0, a);
            if (publishBeforeTruncate) e.publish(v, force);
            e.setattr(v, ino, AttributeChange.size(36505));
            if (publishAfterTruncate) e.publish(v, force);
            byte[] b = new byte[1443];
            Arrays.fill(b, (byte) 'b');
            e.write(v, ino, 51120, b);
            e.publish(v, force);
            byte[] got = e.read(v, ino, 40106, 13312);
            byte[] want = new byte[51120 + 1443 - 40106];
            Arrays.fill(want, 51120 - 40106, want.length, (byte) 'b');
            assertArrayEquals(want, got);
        }
    }
}
