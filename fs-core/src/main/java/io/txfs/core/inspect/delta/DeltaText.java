package io.txfs.core.inspect.delta;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import io.txfs.core.ViewDiff;
import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import io.txfs.core.model.QuotedPath;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * A canonical delta between two states as the text {@code txfs diff} prints for a view (same headers
 * as {@link ViewDiff}, so {@code --stat} reads both): per entry a {@code diff --txfs} line, mode lines,
 * then a unified diff of text contents or one summary line for binary or large files. A deleted or
 * added directory is one entry (the canonical delta lists an added directory's descendants, not a
 * deleted one's). Contents are read from the two sources; a read that fails fails the whole diff.
 */
public final class DeltaText {
    private static final int CONTEXT_LINES = 3;

    private DeltaText() {}

    public static String unified(Delta delta, TreeSource before, TreeSource after) throws IOException {
        StringBuilder out = new StringBuilder();
        for (DeltaEntry e : delta.entries()) {
            TreePath path = e.path();
            byte[] p = path.bytes();
            out.append(ViewDiff.header(p));
            EntryStat old = e.change() == ChangeKind.ADDED ? null : before.stat(path);
            EntryStat now = e.change() == ChangeKind.DELETED ? null : after.stat(path);
            if (old == null) {
                out.append("new file mode ").append(mode(now)).append('\n');
            } else if (now == null) {
                out.append("deleted file mode ").append(mode(old)).append('\n');
            } else if (!mode(old).equals(mode(now))) {
                out.append("old mode ").append(mode(old)).append('\n');
                out.append("new mode ").append(mode(now)).append('\n');
            }
            byte[] a = old == null ? null : content(before, path, old);
            byte[] b = now == null ? null : content(after, path, now);
            if (old != null && now != null && a != TOO_LARGE && b != TOO_LARGE && Arrays.equals(a, b)) {
                continue;
            }
            body(out, p, old, now, a, b);
        }
        return out.toString();
    }

    private static final byte[] TOO_LARGE = new byte[0];

    private static String mode(EntryStat s) {
        return Integer.toOctalString(s.kind().formatBits() | s.permissions());
    }

    /** File bytes, a symlink's target, nothing for other kinds; TOO_LARGE past the text limit. */
    private static byte[] content(TreeSource t, TreePath path, EntryStat s) throws IOException {
        if (s.kind() == EntryKind.SYMLINK) {
            return t.readLink(path);
        }
        if (s.kind() != EntryKind.FILE) {
            return new byte[0];
        }
        if (s.size() > ViewDiff.MAX_TEXT_BYTES) {
            return TOO_LARGE;
        }
        try (InputStream in = t.open(path)) {
            return in.readAllBytes();
        }
    }

    private static void body(StringBuilder out, byte[] p, EntryStat old, EntryStat now, byte[] before, byte[] after) {
        String a = old == null ? "/dev/null" : QuotedPath.quote("a/", p);
        String b = now == null ? "/dev/null" : QuotedPath.quote("b/", p);
        if (old != null && old.kind() == EntryKind.DIRECTORY || now != null && now.kind() == EntryKind.DIRECTORY) {
            if (old == null || now == null || old.kind() == now.kind()) {
                return; // a directory itself has no content to show
            }
        }
        List<String> oldLines = before == TOO_LARGE ? null : ViewDiff.lines(before);
        List<String> newLines = after == TOO_LARGE ? null : ViewDiff.lines(after);
        if (oldLines == null || newLines == null) {
            out.append("Binary files ")
                    .append(a)
                    .append(" and ")
                    .append(b)
                    .append(" differ (")
                    .append(old == null ? 0 : old.size())
                    .append(" -> ")
                    .append(now == null ? 0 : now.size())
                    .append(" bytes)\n");
            return;
        }
        Patch<String> patch = DiffUtils.diff(oldLines, newLines);
        for (String line : UnifiedDiffUtils.generateUnifiedDiff(a, b, oldLines, patch, CONTEXT_LINES)) {
            out.append(line.startsWith("@@") ? ViewDiff.gnuHunkHeader(line) : line)
                    .append('\n');
        }
    }
}
