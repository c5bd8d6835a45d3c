package io.txfs.core.inspect.engine;

import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.dir.DirectoryTreeSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;

/** Small helpers to build real directories for comparisons. */
final class DiskTreeCopy {
    private DiskTreeCopy() {}

    static void copy(Path from, Path to) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("cp", "-a", from + "/.", to.toString())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IOException("cp -a failed");
        }
    }

    /** A file with a name that may not be UTF-8 (java.nio cannot spell those). */
    static void writeRaw(Path dir, byte[] name, byte[] content, int perm) throws IOException {
        new DirectoryTreeSink(dir)
                .writeFile(
                        TreePath.root().resolve(Name.of(name)),
                        new EntryMetadata(perm, null, null, null, new TreeMap<>()),
                        new ByteArrayInputStream(content),
                        content.length);
    }
}
