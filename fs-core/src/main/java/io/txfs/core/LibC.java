package io.txfs.core;

import jnr.ffi.LibraryLoader;

/** The one libc call java.nio lacks: mknod, for fifos and device nodes that flush writes. */
public interface LibC {
    int mknod(String path, int mode, long dev);

    final class Holder {
        private Holder() {}

        static final LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
    }
}
