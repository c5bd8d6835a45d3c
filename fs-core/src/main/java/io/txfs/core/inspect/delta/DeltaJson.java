package io.txfs.core.inspect.delta;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.inspect.ObjectId;
import io.txfs.core.inspect.TreePath;
import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The canonical JSON-lines form of a delta: one object per entry, fields in a fixed order, no
 * insignificant whitespace, "\n" after each line. Byte strings (paths, symlink targets, xattr names
 * and values) are JSON strings when they are valid UTF-8 and {"base64":"..."} objects otherwise, so
 * every byte string has exactly one encoding. See docs/inspection.md.
 */
public final class DeltaJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeltaJson() {}

    public static void write(Delta delta, OutputStream out) throws IOException {
        for (DeltaEntry e : delta.entries()) {
            try (JsonGenerator g = FACTORY.createGenerator(new NonClosing(out))) {
                writeEntry(g, e);
            }
            out.write('\n');
        }
    }

    private static void writeEntry(JsonGenerator g, DeltaEntry e) throws IOException {
        g.writeStartObject();
        g.writeFieldName("path");
        writeBytes(g, e.path().bytes());
        g.writeStringField("change", e.change().jsonName());
        g.writeStringField("type", e.type().jsonName());
        if (e.change() != ChangeKind.DELETED) {
            g.writeStringField("mode", String.format("%04o", e.permissions()));
            g.writeNumberField("uid", e.uid());
            g.writeNumberField("gid", e.gid());
            if (e.type() == EntryKind.FILE) {
                g.writeNumberField("size", e.size());
            }
            if (e.contentId() != null) {
                g.writeStringField("content", e.contentId().hex());
            }
            if (e.target() != null) {
                g.writeFieldName("target");
                writeBytes(g, e.target());
            }
            if (e.type().isDevice()) {
                g.writeNumberField("rdev", e.rdev());
            }
            if (!e.xattrs().isEmpty()) {
                g.writeArrayFieldStart("xattrs");
                for (Map.Entry<Name, byte[]> x : e.xattrs().entrySet()) {
                    g.writeStartArray();
                    writeBytes(g, x.getKey().bytes());
                    writeBytes(g, x.getValue());
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            if (e.linkTo() != null) {
                g.writeFieldName("link");
                writeBytes(g, e.linkTo().bytes());
            }
            if (e.mtimeNanos() != null) {
                g.writeNumberField("mtime", e.mtimeNanos());
            }
        }
        g.writeEndObject();
    }

    private static void writeBytes(JsonGenerator g, byte[] b) throws IOException {
        String s = Name.Bytes.utf8OrNull(b);
        if (s != null) {
            g.writeString(s);
        } else {
            g.writeStartObject();
            g.writeStringField("base64", Base64.getEncoder().encodeToString(b));
            g.writeEndObject();
        }
    }

    /** Parses the canonical form back (for imports of JSON-lines deltas and for tests). */
    public static Delta read(InputStream in, ObjectFormat format, boolean mtimes) throws IOException {
        List<DeltaEntry> entries = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isEmpty()) {
                entries.add(readEntry(MAPPER.readTree(line)));
            }
        }
        return new Delta(entries, format, mtimes);
    }

    private static DeltaEntry readEntry(JsonNode n) {
        TreePath path = TreePath.ofBytes(bytes(n.get("path")));
        ChangeKind change = ChangeKind.fromJsonName(n.get("change").asText());
        EntryKind type = EntryKind.fromJsonName(n.get("type").asText());
        if (change == ChangeKind.DELETED) {
            return DeltaEntry.deleted(path, type);
        }
        SortedMap<Name, byte[]> xattrs = new TreeMap<>();
        if (n.has("xattrs")) {
            for (JsonNode pair : n.get("xattrs")) {
                xattrs.put(Name.xattr(bytes(pair.get(0))), bytes(pair.get(1)));
            }
        }
        return new DeltaEntry(
                path,
                change,
                type,
                Integer.parseInt(n.get("mode").asText(), 8),
                n.get("uid").asLong(),
                n.get("gid").asLong(),
                n.has("size") ? n.get("size").asLong() : 0,
                n.has("content") ? ObjectId.fromHex(n.get("content").asText()) : null,
                n.has("target") ? bytes(n.get("target")) : null,
                n.has("rdev") ? n.get("rdev").asLong() : 0,
                xattrs,
                n.has("link") ? TreePath.ofBytes(bytes(n.get("link"))) : null,
                n.has("mtime") ? n.get("mtime").asLong() : null);
    }

    private static byte[] bytes(JsonNode n) {
        if (n.isTextual()) {
            return n.asText().getBytes(StandardCharsets.UTF_8);
        }
        return Base64.getDecoder().decode(n.get("base64").asText());
    }

    /** Keeps the generator from closing the caller's stream. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
