package io.txfs.core.inspect.access;

import java.nio.file.FileSystemException;

/**
 * An operation only the owner or root may do (chmod of another's entry, a device node, a privileged
 * xattr namespace): EPERM, where a missing mode bit is {@link java.nio.file.AccessDeniedException}
 * (EACCES), as the kernel distinguishes them.
 */
public final class NotPermittedException extends FileSystemException {
    public NotPermittedException(String path, String reason) {
        super(path, null, reason);
    }
}
