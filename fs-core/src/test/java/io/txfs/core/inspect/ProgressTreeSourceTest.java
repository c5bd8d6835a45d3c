package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.txfs.core.inspect.dir.DirectoryTreeSource;
import io.txfs.core.progress.LongWork;
import io.txfs.core.progress.LongWorks;
import io.txfs.core.progress.WorkSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hash of the backing directory counts every entry it looked at and every byte it read, and hashes the same. */
class ProgressTreeSourceTest {
    @TempDir
    Path dir;

    @Test
    void countsEntriesAndBytesWithoutChangingTheId() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.write(dir.resolve("a/one"), new byte[1000]);
        Files.write(dir.resolve("a/b/two"), new byte[2345]);
        Files.createSymbolicLink(dir.resolve("link"), Path.of("a/one"));
        TreeIdOptions git = TreeIdOptions.git(ObjectFormat.SHA1);
        ObjectId plain = new TreeHasher(git).hash(new DirectoryTreeSource(dir), TreePath.root());
        LongWorks works = LongWorks.system();
        ObjectId counted;
        WorkSnapshot end;
        try (LongWork w = works.start("hash")) {
            counted =
                    new TreeHasher(git).hash(new ProgressTreeSource(new DirectoryTreeSource(dir), w), TreePath.root());
            end = w.snapshot();
        }
        assertEquals(plain, counted);
        assertEquals(3345, end.bytesDone(), "both files read whole, once");
        Assertions.assertTrue(end.itemsDone() >= 5, "every entry below the root looked at: " + end);
        assertEquals(LongWork.UNKNOWN, end.itemsTotal(), "a walk cannot know its total");
    }
}
