package io.txfs.core.inspect.normalize;

import java.io.IOException;
import java.io.InputStream;

/**
 * A file's bytes that can be read more than once, so a normalizer can look at the end of a file (a
 * signature trailer, a zip's central directory) before it hands out the whole, without holding it in memory.
 */
public interface Blob {
    long size();

    /** The bytes from the start. The caller closes the stream. */
    InputStream open() throws IOException;

    /** The bytes from {@code offset}; reading an earlier part again means opening again. */
    default InputStream openAt(long offset) throws IOException {
        InputStream in = open();
        try {
            in.skipNBytes(offset);
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** {@code length} bytes at {@code offset}, which must lie within the blob. */
    default byte[] read(long offset, int length) throws IOException {
        try (InputStream in = openAt(offset)) {
            return in.readNBytes(length);
        }
    }
}
