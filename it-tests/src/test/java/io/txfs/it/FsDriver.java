package io.txfs.it;

import java.util.List;

/**
 * The operations {@link PosixBehaviourIT}'s own cases are written against, once, so that they run against
 * the engine in-process ({@link EngineDriver}) and against real system calls in a mount ({@link AgentDriver}).
 * Paths are relative to the case's own fresh directory. An operation that fails throws {@link Failure}
 * with the errno's name; anything else that goes wrong (the driver itself broke) is an AssertionError.
 */
interface FsDriver extends AutoCloseable {
    /** What lstat says of a name; type is file, dir, symlink, fifo or other, perm the 07777 bits. */
    record Stat(String type, int perm, long nlink, long size, long ino) {
        static String typeOf(int stMode) {
            return switch (stMode & 0170000) {
                case 0100000 -> "file";
                case 0040000 -> "dir";
                case 0120000 -> "symlink";
                case 0010000 -> "fifo";
                default -> "other";
            };
        }
    }

    /** A failed operation: its errno, by name (ENOENT, EEXIST, ...). */
    final class Failure extends RuntimeException {
        final String errno;

        Failure(String errno, String message) {
            super(errno + ": " + message, null, false, false);
            this.errno = errno;
        }
    }

    /** Where the operations run, for assertion messages. */
    String describe();

    /** mkdir(2) with this mode (the cases use modes the usual umask 022 keeps). */
    void mkdir(String path, int mode);

    /** open(O_WRONLY|O_CREAT|O_EXCL, 0644) and write the content. */
    void create(String path, String content);

    /** pwrite(2) of the content at this offset into an existing file. */
    void pwrite(String path, long offset, String content);

    /** The whole content (bytes as latin-1 characters). */
    String read(String path);

    void unlink(String path);

    void rmdir(String path);

    /** rename(2), no flags. */
    void rename(String from, String to);

    /** link(2): a new name for an existing file. */
    void link(String existing, String newPath);

    void symlink(String target, String path);

    String readlink(String path);

    void mkfifo(String path);

    /** lstat(2). */
    Stat stat(String path);

    /** The names readdir hands out, "." and ".." left out, sorted. */
    List<String> list(String path);

    /** Each entry as "name type" (type from readdir's d_type: file, dir, symlink, other), sorted. */
    List<String> entries(String path);

    void chmod(String path, int mode);

    void truncate(String path, long size);

    /** setxattr(2) with flags 0, XATTR_CREATE (1) or XATTR_REPLACE (2). */
    void setxattr(String path, String name, String value, int flags);

    String getxattr(String path, String name);

    /** The user.* names, sorted. */
    List<String> listxattr(String path);

    void removexattr(String path, String name);

    @Override
    void close();
}
