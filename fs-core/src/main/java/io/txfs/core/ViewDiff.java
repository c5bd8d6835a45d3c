package io.txfs.core;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import io.txfs.core.model.Caller;
import io.txfs.core.model.DeltaEntry;
import io.txfs.core.model.EngineConstants;
import io.txfs.core.model.FileType;
import io.txfs.core.model.Isolation;
import io.txfs.core.model.NodeAttributes;
import io.txfs.core.model.QuotedPath;
import io.txfs.core.tree.View;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A view's pending delta as text a person reads: a unified diff per changed text file, one summary line
 * per binary file, mode and type lines as git prints them. The "before" side is the published state the
 * delta applies to (the view's snapshot, or the newest publish for a read-committed view).
 */
public final class ViewDiff {
    /** Larger files are summarised, not diffed line by line. */
    public static final long MAX_TEXT_BYTES = 8L << 20;

    private static final int CONTEXT_LINES = 3;
    private static final int READ_PIECE = 1 << 20;

    private ViewDiff() {}

    /**
     * A read-only view of the state under {@code v}'s pending delta: the published state, or for a child view
     * its base (its parent's state at the fork, docs/views.md "Nested views").
     */
    public static View baseOf(Engine e, View v) {
        if (v.isChild()) return v.baseHandle(); // on the child's snapshot, which the collector keeps for it
        // pinned: the collector keeps this version readable while the handle is reachable
        return e.collector.pin(() -> View.publishedAt(
                EngineConstants.PUBLISHED_VIEW, Isolation.SNAPSHOT, v.ownerUid, v.createdNs, e.tree.readCtx(v).snap));
    }

    public static String unified(Engine e, View v) {
        return unified(e, v, Caller.ROOT);
    }

    /**
     * The diff as {@code who} may see it: the daemon reads as root, so for anyone else a side whose file
     * the caller could not read (mode bits of owner, group, other) is summarised, never shown.
     */
    public static String unified(Engine e, View v, Caller who) {
        return unified(e, v, who, path -> true);
    }

    /** The diff of the changed paths {@code shown} accepts (a path without its leading '/'). */
    public static String unified(Engine e, View v, Caller who, Predicate<String> shown) {
        View base = baseOf(e, v);
        StringBuilder out = new StringBuilder();
        for (DeltaEntry d : e.pendingDelta(v)) {
            String p = d.path().startsWith("/") ? d.path().substring(1) : d.path();
            if (!shown.test(p)) continue;
            byte[] raw = d.pathBytes();
            out.append(header(raw));
            switch (d.kind()) {
                case ADDED ->
                    out.append("new file mode ")
                            .append(octal(d.newType(), d.newPerm()))
                            .append('\n');
                case DELETED ->
                    out.append("deleted file mode ")
                            .append(octal(d.oldType(), d.oldPerm()))
                            .append('\n');
                default -> {
                    if (d.oldType() != d.newType() || !d.oldPerm().equals(d.newPerm())) {
                        out.append("old mode ")
                                .append(octal(d.oldType(), d.oldPerm()))
                                .append('\n');
                        out.append("new mode ")
                                .append(octal(d.newType(), d.newPerm()))
                                .append('\n');
                    }
                }
            }
            Side before = d.oldType() == null ? Side.ABSENT : content(e, base, raw, d.oldType(), d.oldSize(), who);
            Side after = d.newType() == null ? Side.ABSENT : content(e, v, raw, d.newType(), d.newSize(), who);
            if (!before.tooLarge && !after.tooLarge && Arrays.equals(before.bytes, after.bytes)) {
                continue;
            }
            body(out, raw, before, after, d);
        }
        return out.toString();
    }

    /** The first line of a path's diff: {@code diff --txfs a/P b/P}, quoted as git quotes them when P needs it. */
    public static String header(byte[] path) {
        return "diff --txfs " + QuotedPath.quote("a/", path) + ' ' + QuotedPath.quote("b/", path) + '\n';
    }

    /** One side of a changed path: its bytes (null when the path is absent there), or too large to diff. */
    private record Side(byte[] bytes, boolean tooLarge) {
        static final Side ABSENT = new Side(null, false);
        static final Side TOO_LARGE = new Side(null, true);
    }

    private static void body(StringBuilder out, byte[] p, Side before, Side after, DeltaEntry d) {
        String a = before == Side.ABSENT ? "/dev/null" : QuotedPath.quote("a/", p);
        String b = after == Side.ABSENT ? "/dev/null" : QuotedPath.quote("b/", p);
        List<String> oldLines = before.tooLarge ? null : lines(before.bytes);
        List<String> newLines = after.tooLarge ? null : lines(after.bytes);
        if (oldLines == null || newLines == null) {
            out.append("Binary files ")
                    .append(a)
                    .append(" and ")
                    .append(b)
                    .append(" differ (")
                    .append(d.oldSize() == null ? 0 : d.oldSize())
                    .append(" -> ")
                    .append(d.newSize() == null ? 0 : d.newSize())
                    .append(" bytes)\n");
            return;
        }
        Patch<String> patch = DiffUtils.diff(oldLines, newLines);
        for (String line : UnifiedDiffUtils.generateUnifiedDiff(a, b, oldLines, patch, CONTEXT_LINES)) {
            out.append(line.startsWith("@@") ? gnuHunkHeader(line) : line).append('\n');
        }
    }

    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+),(\\d+) \\+(\\d+),(\\d+) @@(.*)$");

    /**
     * The hunk header as GNU diff and git write it: an empty side starts at the line before the hunk
     * ({@code -0,0}), and a count of one is left out.
     */
    public static String gnuHunkHeader(String header) {
        Matcher m = HUNK.matcher(header);
        if (!m.matches()) {
            return header;
        }
        return "@@ -" + range(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) + " +"
                + range(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))) + " @@" + m.group(5);
    }

    private static String range(int start, int count) {
        if (count == 0) {
            return (start - 1) + ",0";
        }
        return count == 1 ? Integer.toString(start) : start + "," + count;
    }

    /** The bytes to compare: file content, a symlink's target, nothing for other types. */
    private static Side content(Engine e, View v, byte[] path, FileType type, Long size, Caller who) {
        long ino = e.resolve(v, path);
        if (who.uid() != 0 && type == FileType.REGULAR && !readable(e.getattr(v, ino), who)) {
            return Side.TOO_LARGE; // summarised like a file too large to show
        }
        if (type == FileType.SYMLINK) {
            return new Side(e.readlink(v, ino), false);
        }
        if (type != FileType.REGULAR) {
            return new Side(new byte[0], false);
        }
        long n = size == null ? e.getattr(v, ino).size() : size;
        if (n > MAX_TEXT_BYTES) {
            return Side.TOO_LARGE;
        }
        ByteBuffer all = ByteBuffer.allocate((int) n);
        while (all.hasRemaining()) {
            byte[] piece = e.read(v, ino, all.position(), Math.min(READ_PIECE, all.remaining()));
            if (piece.length == 0) {
                break;
            }
            all.put(piece);
        }
        return new Side(Arrays.copyOf(all.array(), all.position()), false);
    }

    /** Whether {@code who} may read a file with these attributes, by its mode bits alone. */
    static boolean readable(NodeAttributes a, Caller who) {
        int bits = a.uid() == who.uid() ? 0400 : a.gid() == who.gid() ? 040 : 04;
        return (a.perm() & bits) != 0;
    }

    /** The lines of a text, or null if it is binary (a NUL byte, or not UTF-8), as git decides. */
    public static List<String> lines(byte[] content) {
        if (content == null || content.length == 0) {
            return List.of();
        }
        for (byte x : content) {
            if (x == 0) {
                return null;
            }
        }
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
            // a final newline ends the last line rather than starting an empty one
            List<String> l = Arrays.asList(s.split("\n", -1));
            return s.endsWith("\n") ? l.subList(0, l.size() - 1) : l;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String octal(FileType t, Integer perm) {
        return Integer.toOctalString(t.bits() | (perm == null ? 0 : perm));
    }
}
