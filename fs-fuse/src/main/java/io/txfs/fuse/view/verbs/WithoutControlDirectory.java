package io.txfs.fuse.view.verbs;

import io.txfs.core.inspect.ForwardingTreeSource;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSource;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/** The backing directory without {@code .txfs} at its root, as views show it. */
final class WithoutControlDirectory extends ForwardingTreeSource {
    private static final Name RESERVED = Name.of(".txfs");

    WithoutControlDirectory(TreeSource inner) {
        super(inner);
    }

    @Override
    protected TreePath at(TreePath p) throws NoSuchFileException {
        if (!p.isRoot() && p.names().get(0).equals(RESERVED)) {
            throw new NoSuchFileException(p.toString());
        }
        return p;
    }

    @Override
    public List<Name> list(TreePath dir) throws IOException {
        List<Name> names = new ArrayList<>(super.list(dir));
        if (dir.isRoot()) {
            names.remove(RESERVED);
        }
        return names;
    }
}
