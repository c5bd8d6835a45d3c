package io.txfs.core.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Bytes of the state directory's files (the store's and the chunk data files): what {@code txfs gc}
 * reports before and after. Apparent sizes: a chunk data file is dense but for the gaps a truncate left.
 */
public final class StateSize {
    private StateSize() {}

    public static long of(Path stateDir) {
        long n = 0;
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.isRegularFile(p)) n += Files.size(p);
                } catch (NoSuchFileException gone) {
                    // deleted by a compaction or a collection while we walked: it holds nothing any more
                }
            }
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("size of " + stateDir, e);
        }
        return n;
    }
}
