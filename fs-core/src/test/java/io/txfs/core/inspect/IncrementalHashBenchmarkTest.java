package io.txfs.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's target: re-hashing a 100,000-file tree after one change takes well under 50 ms when the
 * source has version tokens. The tree is synthetic (d0..d99/e0..e9/f0..f99) so building it costs
 * nothing; one file can be "changed", which changes its version and its ancestors'.
 */
class IncrementalHashBenchmarkTest {
    private static final TreePath CHANGED = TreePath.of("d42/e7/f13");

    @Test
    void reHashOf100kFileTreeAfterOneChangeReadsFourPathsAndIsFast() throws IOException {
        Synthetic tree = new Synthetic();
        HashCache cache = new HashCache(1 << 20);
        TreeHasher hasher = new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1), cache);
        long t0 = System.nanoTime();
        ObjectId cold = hasher.hash(tree, TreePath.root());
        long coldMs = (System.nanoTime() - t0) / 1_000_000;

        CountingTreeSource counting = new CountingTreeSource(tree);
        long best = Long.MAX_VALUE;
        ObjectId warm = null;
        // Each round is one more change of the same file: a genuine re-hash after one change.
        for (int generation = 2; generation <= 6; generation++) {
            tree.generation = generation;
            counting.reads.clear();
            long t1 = System.nanoTime();
            warm = hasher.hash(counting, TreePath.root());
            best = Math.min(best, System.nanoTime() - t1);
            assertTrue(counting.reads.contains("open d42/e7/f13"), counting.reads.toString());
        }
        System.err.printf(
                "100k-file tree: cold git id %d ms, warm re-hash after one change %.2f ms%n", coldMs, best / 1e6);
        assertNotEquals(cold, warm);
        assertEquals(
                new TreeHasher(TreeIdOptions.git(ObjectFormat.SHA1))
                        .hash(new TreeHasherTest.Unversioned(tree), TreePath.root()),
                warm,
                "the memoized id is the id");
        for (String read : counting.reads) {
            String path = read.substring(read.indexOf(' ') + 1);
            assertTrue(List.of("", "d42", "d42/e7", "d42/e7/f13").contains(path), read);
        }
        assertTrue(best < 500_000_000L, "warm re-hash took " + best / 1e6 + " ms");
    }

    private static final class Synthetic implements TreeSource {
        int generation = 1;

        @Override
        public List<Name> list(TreePath dir) {
            int depth = dir.names().size();
            int n = depth == 0 ? 100 : depth == 1 ? 10 : 100;
            String prefix = depth == 0 ? "d" : depth == 1 ? "e" : "f";
            List<Name> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                names.add(Name.of(prefix + i));
            }
            names.sort(null);
            return names;
        }

        @Override
        public EntryStat stat(TreePath path) {
            boolean file = path.names().size() == 3;
            return new EntryStat(
                    file ? EntryKind.FILE : EntryKind.DIRECTORY,
                    file ? 0644 : 0755,
                    0,
                    0,
                    file ? content(path).length : 4096,
                    0,
                    0,
                    1,
                    path);
        }

        private byte[] content(TreePath path) {
            String s = "content of " + path + (path.equals(CHANGED) ? " generation " + generation : "") + "\n";
            return s.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public SortedMap<Name, byte[]> xattrs(TreePath path) {
            return new TreeMap<>();
        }

        @Override
        public InputStream open(TreePath path) {
            return new ByteArrayInputStream(content(path));
        }

        @Override
        public byte[] readLink(TreePath path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Object> version(TreePath path) {
            return Optional.of(CHANGED.startsWith(path) ? path + "@" + generation : path + "@1");
        }
    }
}
