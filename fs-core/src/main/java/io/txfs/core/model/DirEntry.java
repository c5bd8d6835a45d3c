package io.txfs.core.model;

import java.nio.charset.StandardCharsets;

/** One directory entry as readdir returns it. */
public record DirEntry(byte[] name, long ino, FileType type) {
    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }
}
