package io.txfs.core;

import io.txfs.core.format.EntryName;
import io.txfs.core.format.NodeRecord;
import io.txfs.core.model.DirEntry;
import io.txfs.core.model.FileType;
import io.txfs.core.model.NameRules;
import io.txfs.core.tree.View;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Names and node records of the published head agree: every entry's node lists it, every listed name holds the node. */
final class LinkCheck {
    private LinkCheck() {}

    static List<String> errors(Engine e) {
        // one version throughout: with views publishing in other threads, a walk at one head and records
        // read at a later one disagree without anything being wrong (a file unlinked in between)
        View at = PinnedViews.pin(e, e.published());
        try {
            return errors(e, at);
        } finally {
            PinnedViews.release(e, at);
        }
    }

    private static List<String> errors(Engine e, View at) {
        List<String> out = new ArrayList<>();
        Map<Long, Set<EntryName>> seen = new HashMap<>();
        walk(e, at, Engine.ROOT, "", seen, out);
        for (var en : seen.entrySet()) {
            NodeRecord r = e.versions.node(en.getKey(), at.snapshot);
            if (!new HashSet<>(r.links).equals(en.getValue())) {
                out.add("node " + en.getKey() + " lists " + names(r.links) + " but is at " + names(en.getValue()));
            }
            if (!r.isDir() && r.nlink < r.links.size())
                out.add("node " + en.getKey() + " nlink " + r.nlink + " < " + r.links.size());
            if (r.nlink == 0) out.add("node " + en.getKey() + " reachable with nlink 0");
        }
        return out;
    }

    private static String names(Collection<EntryName> links) {
        List<String> s = new ArrayList<>();
        for (EntryName l : links) s.add(l.parent() + "/" + NameRules.utf8(l.name()));
        return s.toString();
    }

    private static void walk(
            Engine e, View at, long dir, String path, Map<Long, Set<EntryName>> seen, List<String> out) {
        for (DirEntry d : e.readdir(at, dir)) {
            seen.computeIfAbsent(d.ino(), k -> new HashSet<>()).add(new EntryName(dir, d.name()));
            if (d.type() == FileType.DIRECTORY) walk(e, at, d.ino(), path + "/" + d.nameString(), seen, out);
        }
    }
}
