package io.txfs.core.inspect.delta;

import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.ObjectId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical difference between two states: entries sorted by path bytes, each path at most
 * once. Its serialization ({@link DeltaJson}) is canonical, and the delta id is the hash of it.
 *
 * @param format the object format of the content ids, and of the delta id
 * @param mtimes whether the entries carry mtimes (and mtime-only changes count)
 */
public record Delta(List<DeltaEntry> entries, ObjectFormat format, boolean mtimes) {
    public Delta {
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i - 1).path().compareTo(entries.get(i).path()) >= 0) {
                throw new IllegalArgumentException("entries not strictly sorted by path at "
                        + entries.get(i).path());
            }
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The canonical JSON lines. */
    public void writeJsonLines(OutputStream out) throws IOException {
        DeltaJson.write(this, out);
    }

    public byte[] canonicalBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeJsonLines(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The hash, in this delta's object format, of its canonical JSON lines. */
    public ObjectId id() {
        return new ObjectId(format.newDigest().digest(canonicalBytes()));
    }

    /** The entries of one change kind (status lines count them). */
    public List<DeltaEntry> ofKind(ChangeKind kind) {
        List<DeltaEntry> out = new ArrayList<>();
        for (DeltaEntry e : entries) {
            if (e.change() == kind) {
                out.add(e);
            }
        }
        return out;
    }
}
