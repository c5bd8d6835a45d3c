package io.txfs.fuse.view.verbs;

import io.txfs.core.inspect.ObjectFormat;
import io.txfs.core.model.Isolation;

/** The words replies and commands use for the engine's values. */
final class ReplyWords {
    private ReplyWords() {}

    static String isolation(Isolation i) {
        return i == Isolation.READ_COMMITTED ? "read-committed" : "snapshot";
    }

    static ObjectFormat objectFormat(String word) {
        return word.equals("sha256") ? ObjectFormat.SHA256 : ObjectFormat.SHA1;
    }
}
