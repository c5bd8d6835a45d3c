package io.txfs.sys;

/**
 * An exception that is an answer, not a fault: it carries the errno a local Linux filesystem would
 * return (ENOENT of a lookup, EBUSY of a conflicting publish). The engine's typed exceptions implement
 * it; the FUSE dispatcher, the one place that decides errno, answers with it, and with EIO (logged
 * once) for anything else.
 */
public interface ErrnoAnswer {
    Errno errno();
}
