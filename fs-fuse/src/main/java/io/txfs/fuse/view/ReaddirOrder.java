package io.txfs.fuse.view;

import io.txfs.core.model.DirEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The order a view's directory listings come in. Sorted by name bytes is the contract (docs/spec.md); a
 * view begun with another order ({@code begin readdir=reverse|shuffle}, {@code txfs run --readdir},
 * {@code txfs repro --vary readdir}) shows whether a build depends on the order, as disorderfs does.
 * A shuffle is the same for the same view and directory, so a listing read twice agrees with itself.
 */
public enum ReaddirOrder {
    SORTED,
    REVERSE,
    SHUFFLE;

    public static ReaddirOrder of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code sorted} (the engine's order) as this order shows it for directory {@code ino} of {@code view}. */
    List<DirEntry> apply(List<DirEntry> sorted, String view, long ino) {
        if (this == SORTED) return sorted;
        List<DirEntry> out = new ArrayList<>(sorted);
        if (this == REVERSE) {
            Collections.reverse(out);
        } else {
            Collections.shuffle(out, new Random(view.hashCode() * 31L + ino));
        }
        return out;
    }
}
