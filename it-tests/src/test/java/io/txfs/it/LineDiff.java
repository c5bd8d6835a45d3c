package io.txfs.it;

import java.util.ArrayList;
import java.util.List;

/** A minimal line diff (longest common subsequence) so that a transcript mismatch reads like `diff -u`. */
final class LineDiff {
    private LineDiff() {}

    /** Lines prefixed "-" (only in expected), "+" (only in actual), " " (both), with 2 lines of context. */
    static String of(String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                out.add("  " + a.get(i));
                i++;
                j++;
            } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.add("- " + a.get(i++));
            } else {
                out.add("+ " + b.get(j++));
            }
        }
        return withContext(out, 2);
    }

    private static String withContext(List<String> lines, int context) {
        StringBuilder text = new StringBuilder();
        int lastPrinted = -1;
        for (int k = 0; k < lines.size(); k++) {
            boolean near = false;
            for (int d = -context; d <= context && !near; d++) {
                int n = k + d;
                near = n >= 0 && n < lines.size() && !lines.get(n).startsWith("  ");
            }
            if (near) {
                if (lastPrinted >= 0 && k > lastPrinted + 1) {
                    text.append("  ...\n");
                }
                text.append(lines.get(k)).append('\n');
                lastPrinted = k;
            }
        }
        return text.toString();
    }
}
