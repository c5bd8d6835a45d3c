package io.txfs.core.inspect.engine;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.model.FileType;
import io.txfs.core.model.FsException;
import io.txfs.sys.Errno;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Translations between the engine's types and the inspect library's, shared by source and sink. */
final class EngineTrees {
    /** The control directory's name at the root of every view: never part of a tree. */
    static final byte[] RESERVED = {'.', 't', 'x', 'f', 's'};

    private EngineTrees() {}

    static EntryKind kind(FileType t) {
        return switch (t) {
            case REGULAR -> EntryKind.FILE;
            case DIRECTORY -> EntryKind.DIRECTORY;
            case SYMLINK -> EntryKind.SYMLINK;
            case FIFO -> EntryKind.FIFO;
            case CHAR_DEVICE -> EntryKind.CHAR_DEVICE;
            case BLOCK_DEVICE -> EntryKind.BLOCK_DEVICE;
            case SOCKET -> EntryKind.SOCKET;
        };
    }

    static FileType fileType(EntryKind k) {
        return switch (k) {
            case FILE -> FileType.REGULAR;
            case DIRECTORY -> FileType.DIRECTORY;
            case SYMLINK -> FileType.SYMLINK;
            case FIFO -> FileType.FIFO;
            case CHAR_DEVICE -> FileType.CHAR_DEVICE;
            case BLOCK_DEVICE -> FileType.BLOCK_DEVICE;
            case SOCKET -> FileType.SOCKET;
        };
    }

    /** The engine's typed failure as the IOException the inspect interfaces speak. */
    static IOException io(FsException e, Object path) {
        if (e.errno() == Errno.ENOENT) {
            NoSuchFileException n = new NoSuchFileException(String.valueOf(path));
            n.initCause(e);
            return n;
        }
        return new IOException(String.valueOf(path) + ": " + e.errno() + " " + e.getMessage(), e);
    }
}
