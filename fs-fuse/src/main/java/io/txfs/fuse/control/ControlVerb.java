package io.txfs.fuse.control;

import java.util.Locale;
import java.util.Set;

/** The verbs of {@code .txfs/ctl}, each with the arguments it takes. */
public enum ControlVerb {
    BEGIN(Set.of("view", "isolation")),
    PUBLISH(Set.of("view", "force")),
    FLUSH(Set.of()),
    COMMIT(Set.of("view", "force")),
    ABORT(Set.of("view")),
    STATUS(Set.of("view")),
    DIFF(Set.of("view")),
    VIEWS(Set.of());

    private final Set<String> arguments;

    ControlVerb(Set<String> arguments) {
        this.arguments = arguments;
    }

    public boolean takes(String argument) {
        return arguments.contains(argument);
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ControlVerb of(String word) {
        for (ControlVerb v : values()) {
            if (v.word().equals(word)) {
                return v;
            }
        }
        return null;
    }
}
