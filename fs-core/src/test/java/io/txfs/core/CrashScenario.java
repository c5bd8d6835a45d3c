package io.txfs.core;

import static io.txfs.core.TestFs.b;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The work the crash tests interrupt, shared by the child JVM and the parent's expectations. */
final class CrashScenario {
    private CrashScenario() {}

    static final String KEEP_CONTENT = "pending data a write() returned for";

    static void prepareBacking(Path backing) throws IOException {
        Files.createDirectories(backing.resolve("dir/sub"));
        Files.writeString(backing.resolve("hello.txt"), "hello world");
        Files.writeString(backing.resolve("dir/a.txt"), "A");
        Files.writeString(backing.resolve("dir/sub/deep.txt"), "deep");
        byte[] big = new byte[Engine.CHUNK * 3 + 17];
        Arrays.fill(big, (byte) 'b');
        Files.write(backing.resolve("big.bin"), big);
    }

    /** A view that never publishes: its pending data must survive every crash. */
    static void pendingWork(Engine e) {
        TestFs keep = new TestFs(e, e.createView("keep", Isolation.SNAPSHOT, 0));
        keep.write("keep.txt", KEEP_CONTENT);
        e.write(keep.view, keep.ino("dir/a.txt"), 0, b("K"));
        e.write(keep.view, keep.ino("big.bin"), 2L * Engine.CHUNK, b("Q"));
    }

    static void publishWork(Engine e) {
        TestFs p = new TestFs(e, e.createView("pub", Isolation.SNAPSHOT, 0));
        p.write("hello.txt", "HELLO, published");
        e.write(p.view, p.ino("big.bin"), Engine.CHUNK + 3, b("PATCHED"));
        p.write("new0", "zero");
        p.write("new1", "one");
        p.mkdir("dir/newdir");
        p.write("dir/newdir/inner", "inner");
        p.mv("dir/sub", "moved");
        p.rm("dir/a.txt");
        e.symlink(p.view, Engine.ROOT, b("sym"), b("hello.txt"), Caller.ROOT);
        e.publish(p.view, false);
    }
}
