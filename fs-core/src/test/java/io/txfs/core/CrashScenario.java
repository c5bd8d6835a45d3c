package io.txfs.core;

import static io.txfs.core.TestFs.b;

import io.txfs.core.model.AttributeChange;
import io.txfs.core.model.Caller;
import io.txfs.core.model.Isolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

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
        Files.writeString(backing.resolve("same.txt"), SAME_BEFORE);
        Files.setLastModifiedTime(backing.resolve("same.txt"), FileTime.from(SAME_MTIME_S, TimeUnit.SECONDS));
        // names that are not valid UTF-8 must be flushed and recovered byte-exactly
        Files.createDirectories(TestFs.onDisk(backing, RAW_DIR));
        Files.writeString(TestFs.onDisk(backing, RAW_DIR + "/" + RAW_INNER), "inner raw");
        Files.writeString(TestFs.onDisk(backing, RAW_FILE), "raw content");
    }

    /** same.txt: published as SAME_AFTER with its mtime restored (cp -p): same size, same mtime, same inode. */
    static final String SAME_BEFORE = "same size A";

    static final String SAME_AFTER = "SAME SIZE B";
    static final long SAME_MTIME_S = 1_600_000_000L;

    static final String RAW_DIR = "d\u0080";
    static final String RAW_INNER = "f\u00c3(";
    static final String RAW_FILE = "raw\u00ff\u00fe.txt";

    /** Bytes no two chunks share, so a chunk read from the wrong place shows. */
    static byte[] pattern(int n, int seed) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) out[i] = (byte) ((i / 251) * 7 + i % 251 + seed);
        return out;
    }

    static final byte[] KEEP_BIG = pattern(2 * Engine.CHUNK + Engine.CHUNK / 2 + 9, 3);

    /** multi.bin as published: 3 chunks written in pieces, cut inside chunk 2, then written past the cut. */
    static byte[] multiPublished() {
        byte[] out = Arrays.copyOf(pattern(3 * Engine.CHUNK + 100, 5), 2 * Engine.CHUNK + 61);
        Arrays.fill(out, 2 * Engine.CHUNK + 50, 2 * Engine.CHUNK + 60, (byte) 0);
        out[2 * Engine.CHUNK + 60] = 'Z';
        return out;
    }

    /** A view that never publishes: its pending data must survive every crash. */
    static void pendingWork(Engine e) {
        TestFs keep = new TestFs(e, e.createView("keep", Isolation.SNAPSHOT, 0));
        keep.write("keep.txt", KEEP_CONTENT);
        e.write(keep.view, keep.ino("dir/a.txt"), 0, b("K"));
        e.write(keep.view, keep.ino("big.bin"), 2L * Engine.CHUNK, b("Q"));
        // several chunks in the view's data file, in two writes
        long big = e.create(keep.view, Engine.ROOT, b("keepbig.bin"), 0644, Caller.ROOT)
                .ino();
        e.write(keep.view, big, 0, Arrays.copyOf(KEEP_BIG, 2 * Engine.CHUNK));
        e.write(keep.view, big, 2L * Engine.CHUNK, Arrays.copyOfRange(KEEP_BIG, 2 * Engine.CHUNK, KEEP_BIG.length));
    }

    /** Changes the backing directory behind the engine's back (after its directories were listed), then rescans. */
    static void outsideWork(Engine e, Path backing) throws IOException {
        TestFs pub = new TestFs(e, e.published());
        pub.ls("dir/sub");
        Files.writeString(backing.resolve("hello.txt"), OUTSIDE_HELLO);
        Files.writeString(backing.resolve("dir/outside-new.txt"), "added outside");
        Files.delete(backing.resolve("dir/sub/deep.txt"));
        e.rescan();
    }

    static final String OUTSIDE_HELLO = "hello from outside txfs";

    static void publishWork(Engine e) {
        TestFs p = new TestFs(e, e.createView("pub", Isolation.SNAPSHOT, 0));
        p.write("hello.txt", "HELLO, published");
        p.write("same.txt", SAME_AFTER);
        e.setattr(p.view, p.ino("same.txt"), AttributeChange.times(null, SAME_MTIME_S * 1_000_000_000L));
        e.write(p.view, p.ino("big.bin"), Engine.CHUNK + 3, b("PATCHED"));
        p.write("new0", "zero");
        p.write("new1", "one");
        p.mkdir("dir/newdir");
        p.write("dir/newdir/inner", "inner");
        p.mv("dir/sub", "moved");
        p.rm("dir/a.txt");
        e.symlink(p.view, Engine.ROOT, b("sym"), b("hello.txt"), Caller.ROOT);
        e.write(p.view, p.rawIno(RAW_FILE), 0, b("RAW"));
        e.rename(p.view, p.rawIno(RAW_DIR), TestFs.raw(RAW_INNER), Engine.ROOT, TestFs.raw("moved\u00e9"), 0);
        long made = e.create(p.view, p.rawIno(RAW_DIR), TestFs.raw("new\u00fa\u00ff"), 0644, Caller.ROOT)
                .ino();
        e.write(p.view, made, 0, b("new raw"));
        e.symlink(p.view, Engine.ROOT, TestFs.raw("rawlink\u0090"), TestFs.raw("x\u00ff//y/"), Caller.ROOT);
        byte[] multi = pattern(3 * Engine.CHUNK + 100, 5);
        long m =
                e.create(p.view, Engine.ROOT, b("multi.bin"), 0644, Caller.ROOT).ino();
        e.write(p.view, m, 0, Arrays.copyOf(multi, Engine.CHUNK + 10));
        e.write(p.view, m, Engine.CHUNK + 10, Arrays.copyOfRange(multi, Engine.CHUNK + 10, multi.length));
        // the cut leaves the old bytes in the data file: the write past it must read zeros in between
        e.setattr(p.view, m, AttributeChange.size(2L * Engine.CHUNK + 50));
        e.write(p.view, m, 2L * Engine.CHUNK + 60, b("Z"));
        e.publish(p.view, false);
    }
}
