package io.txfs.core.inspect.oci;

import static io.txfs.core.inspect.oci.LayerRejectedException.Reason;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSink;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies an OCI layer tar to a {@link TreeSink}. The whole archive is spooled and validated before
 * the first change: a layer that is truncated, has bad or oversized headers, absolute or ".." paths,
 * NUL in names, unsupported entry types, duplicate paths, hard links to anything but a file of the
 * resulting tree, or any path that would pass through a symlink is rejected with a
 * {@link LayerRejectedException} and the sink is left untouched. Deletions (whiteouts, opaque
 * directories) apply first, to what was there before; then entries in archive order.
 */
public final class OciLayerImporter {
    /**
     * @param maxMetadataBytes  largest accepted PAX / GNU long-name header payload
     * @param applyOwnership    chown entries to the tar's numeric uid/gid (needs privilege for others')
     * @param applyMtimes       set the tar's mtimes (files, symlinks, nodes; directories last)
     */
    public record Options(long maxMetadataBytes, boolean applyOwnership, boolean applyMtimes) {
        public static Options defaults() {
            return new Options(1 << 20, true, true);
        }
    }

    /** What an import changed. */
    public record Summary(int deletions, int entries) {}

    private static final int MAX_NAME = 255;
    private static final int MAX_PATH = 4096;

    private final Options options;

    public OciLayerImporter(Options options) {
        this.options = options;
    }

    private record Item(
            int index,
            TreePath path,
            EntryKind kind,
            TarArchiveEntry tar,
            TreePath linkTarget,
            byte[] symlinkTarget,
            EntryMetadata meta,
            boolean hardLink) {}

    private record Plan(Set<TreePath> opaqueDirs, List<TreePath> whiteouts, List<Item> items) {}

    public Summary apply(InputStream layer, TreeSink sink) throws IOException {
        Path spool = Files.createTempFile("txfs-layer", ".tar");
        try {
            Files.copy(layer, spool, StandardCopyOption.REPLACE_EXISTING);
            return apply(spool, sink);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /**
     * As {@link #apply(InputStream, TreeSink)} from a file nobody else changes meanwhile (the daemon's
     * own spool): read in place, in a bounded amount of memory whatever its size.
     */
    public Summary apply(Path layer, TreeSink sink) throws IOException {
        Plan plan = parse(layer, RawTarScanner.scan(layer, options.maxMetadataBytes));
        validate(plan, sink);
        return applyPlan(plan, layer, sink);
    }

    // ---- pass 2: entries, names, types ----

    private Plan parse(Path spool, List<RawTarScanner.RawEntry> raw) throws IOException {
        Set<TreePath> opaque = new HashSet<>();
        List<TreePath> whiteouts = new ArrayList<>();
        List<Item> items = new ArrayList<>();
        Set<TreePath> seen = new HashSet<>();
        try (TarArchiveInputStream tar = open(spool)) {
            int index = 0;
            for (TarArchiveEntry t = next(tar); t != null; t = next(tar), index++) {
                RawTarScanner.RawEntry r = index < raw.size() ? raw.get(index) : null;
                if (r == null) {
                    throw new LayerRejectedException(Reason.BAD_HEADER, "unexpected entry '" + t.getName() + "'");
                }
                TreePath path = normalize(r.path());
                if (path.isRoot()) {
                    if (!t.isDirectory()) {
                        throw new LayerRejectedException(Reason.BAD_NAME, "the root entry must be a directory");
                    }
                    continue;
                }
                String base = path.name().toString();
                if (base.startsWith(OciLayerWriter.WHITEOUT_PREFIX)) {
                    if (!isRegular(t)) {
                        throw new LayerRejectedException(
                                Reason.BAD_WHITEOUT, "whiteout is not a regular file: " + path);
                    }
                    if (base.equals(OciLayerWriter.OPAQUE)) {
                        opaque.add(path.parent());
                    } else if (base.startsWith(OciLayerWriter.WHITEOUT_PREFIX + OciLayerWriter.WHITEOUT_PREFIX)) {
                        throw new LayerRejectedException(Reason.BAD_WHITEOUT, "unsupported whiteout " + path);
                    } else {
                        byte[] name = path.name().bytes();
                        byte[] target = Arrays.copyOfRange(name, OciLayerWriter.WHITEOUT_PREFIX.length(), name.length);
                        if (target.length == 0 || isDots(target)) {
                            throw new LayerRejectedException(Reason.BAD_WHITEOUT, "whiteout without a name: " + path);
                        }
                        whiteouts.add(path.parent().resolve(Name.of(target)));
                    }
                    continue;
                }
                if (!seen.add(path)) {
                    throw new LayerRejectedException(Reason.DUPLICATE_PATH, "twice in the layer: " + path);
                }
                items.add(item(index, path, t, r));
            }
            if (index != raw.size()) {
                throw new LayerRejectedException(Reason.BAD_HEADER, "headers and entries do not match up");
            }
        }
        return new Plan(opaque, whiteouts, items);
    }

    private static boolean isDots(byte[] b) {
        return (b.length == 1 && b[0] == '.') || (b.length == 2 && b[0] == '.' && b[1] == '.');
    }

    private static TarArchiveInputStream open(Path spool) throws IOException {
        return new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(spool)), "UTF-8");
    }

    private static TarArchiveEntry next(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (EOFException e) {
            throw new LayerRejectedException(Reason.TRUNCATED, String.valueOf(e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new LayerRejectedException(Reason.BAD_HEADER, String.valueOf(e.getMessage()));
        }
    }

    private Item item(int index, TreePath path, TarArchiveEntry t, RawTarScanner.RawEntry r) throws IOException {
        EntryKind kind;
        boolean hardLink = false;
        TreePath linkTarget = null;
        byte[] symlinkTarget = null;
        if (t.isLink()) {
            kind = EntryKind.FILE;
            hardLink = true;
            linkTarget = normalize(r.linkPath());
            if (linkTarget.isRoot()) {
                throw new LayerRejectedException(Reason.LINK_ESCAPE, "hard link to the root: " + path);
            }
        } else if (t.isSymbolicLink()) {
            kind = EntryKind.SYMLINK;
            symlinkTarget = r.linkPath();
            if (symlinkTarget.length == 0) {
                throw new LayerRejectedException(Reason.BAD_NAME, "symlink without a target: " + path);
            }
        } else if (t.isDirectory()) {
            kind = EntryKind.DIRECTORY;
        } else if (t.isFIFO()) {
            kind = EntryKind.FIFO;
        } else if (t.isCharacterDevice()) {
            kind = EntryKind.CHAR_DEVICE;
        } else if (t.isBlockDevice()) {
            kind = EntryKind.BLOCK_DEVICE;
        } else if (isRegular(t)) {
            kind = EntryKind.FILE;
        } else {
            throw new LayerRejectedException(
                    Reason.UNSUPPORTED_TYPE, "entry type '" + (char) t.getLinkFlag() + "' at " + path);
        }
        EntryMetadata meta = new EntryMetadata(
                t.getMode() & 07777,
                options.applyOwnership ? t.getLongUserId() : null,
                options.applyOwnership ? t.getLongGroupId() : null,
                options.applyMtimes ? t.getLastModifiedTime().to(TimeUnit.NANOSECONDS) : null,
                r.xattrs());
        return new Item(index, path, kind, t, linkTarget, symlinkTarget, meta, hardLink);
    }

    /** commons-compress calls any unknown type a file; only '0' and the old NUL flag are. */
    private static boolean isRegular(TarArchiveEntry t) {
        return (t.getLinkFlag() == '0' || t.getLinkFlag() == 0) && !t.isSparse();
    }

    /** A tar name as a tree path: "./" prefixes, "." and empty components dropped; nothing that escapes. */
    static TreePath normalize(byte[] name) throws LayerRejectedException {
        String shown = Name.Bytes.display(name);
        if (RawTarScanner.indexOf0(name) >= 0) {
            throw new LayerRejectedException(Reason.BAD_NAME, "NUL in a name or link target");
        }
        if (name.length > 0 && name[0] == '/') {
            throw new LayerRejectedException(Reason.ABSOLUTE_PATH, "absolute path: " + shown);
        }
        if (name.length > MAX_PATH) {
            throw new LayerRejectedException(Reason.BAD_NAME, "path longer than " + MAX_PATH + " bytes");
        }
        TreePath p = TreePath.root();
        int start = 0;
        for (int i = 0; i <= name.length; i++) {
            if (i < name.length && name[i] != '/') {
                continue;
            }
            byte[] c = Arrays.copyOfRange(name, start, i);
            start = i + 1;
            if (c.length == 0 || (c.length == 1 && c[0] == '.')) {
                continue;
            }
            if (c.length == 2 && c[0] == '.' && c[1] == '.') {
                throw new LayerRejectedException(Reason.PARENT_TRAVERSAL, "'..' in path: " + shown);
            }
            if (c.length > MAX_NAME) {
                throw new LayerRejectedException(
                        Reason.BAD_NAME, "name longer than " + MAX_NAME + " bytes in " + shown);
            }
            p = p.resolve(Name.of(c));
        }
        return p;
    }

    // ---- pass 3: simulate against the sink, reject anything that would escape or dangle ----

    private void validate(Plan plan, TreeSink sink) throws IOException {
        Simulation sim = new Simulation(sink, plan);
        for (TreePath w : plan.whiteouts) {
            sim.requireAncestorsAreDirectories(w, true);
        }
        for (TreePath d : plan.opaqueDirs) {
            sim.requireAncestorsAreDirectories(d.isRoot() ? d : d.resolve(Name.of("x")), true);
        }
        for (Item it : plan.items) {
            sim.requireAncestorsAreDirectories(it.path, false);
            if (it.hardLink) {
                sim.requireAncestorsAreDirectories(it.linkTarget, false);
                if (sim.kindAfter(it.linkTarget).orElse(null) != EntryKind.FILE) {
                    throw new LayerRejectedException(
                            Reason.LINK_ESCAPE,
                            "hard link " + it.path + " -> " + it.linkTarget
                                    + " does not name a regular file in the tree");
                }
            }
            sim.added.put(it.path, it.kind);
        }
    }

    /** The tree as it will be: the sink, minus deletions, plus the entries seen so far. */
    private static final class Simulation {
        final TreeSink sink;
        final Plan plan;
        final Set<TreePath> deleted = new HashSet<>();
        final Map<TreePath, EntryKind> added = new HashMap<>();

        Simulation(TreeSink sink, Plan plan) {
            this.sink = sink;
            this.plan = plan;
            deleted.addAll(plan.whiteouts);
        }

        Optional<EntryKind> kindAfter(TreePath p) throws IOException {
            EntryKind a = added.get(p);
            if (a != null) {
                return Optional.of(a);
            }
            for (TreePath anc = p; !anc.isRoot(); anc = anc.parent()) {
                EntryKind k = anc.equals(p) ? null : added.get(anc);
                if (k != null && k != EntryKind.DIRECTORY) {
                    return Optional.empty(); // below a non-directory this layer put there
                }
                if (deleted.contains(anc)) {
                    return Optional.empty(); // whited out; a directory re-added here starts empty
                }
                if (plan.opaqueDirs.contains(anc.parent()) && !added.containsKey(anc)) {
                    return Optional.empty();
                }
            }
            return sink.kind(p);
        }

        void requireAncestorsAreDirectories(TreePath p, boolean beforeAdditions) throws IOException {
            Deque<TreePath> chain = new ArrayDeque<>();
            for (TreePath anc = p; !anc.isRoot(); anc = anc.parent()) {
                chain.push(anc.parent());
            }
            for (TreePath anc : chain) {
                if (anc.isRoot()) {
                    continue;
                }
                Optional<EntryKind> k = beforeAdditions ? sink.kind(anc) : kindAfter(anc);
                if (k.isEmpty()) {
                    if (beforeAdditions) {
                        return; // deleting below a missing directory deletes nothing
                    }
                    throw new LayerRejectedException(Reason.MISSING_PARENT, "no directory " + anc + " for " + p);
                }
                if (k.get() == EntryKind.SYMLINK) {
                    throw new LayerRejectedException(Reason.THROUGH_SYMLINK, p + " would pass through symlink " + anc);
                }
                if (k.get() != EntryKind.DIRECTORY) {
                    throw new LayerRejectedException(Reason.MISSING_PARENT, anc + " is not a directory, for " + p);
                }
            }
        }
    }

    // ---- pass 4: apply ----

    private Summary applyPlan(Plan plan, Path spool, TreeSink sink) throws IOException {
        int deletions = 0;
        for (TreePath d : plan.opaqueDirs) {
            sink.clearDirectory(d);
            deletions++;
        }
        for (TreePath w : plan.whiteouts) {
            sink.delete(w);
            deletions++;
        }
        Map<Integer, Item> byIndex = new HashMap<>();
        for (Item it : plan.items) {
            byIndex.put(it.index, it);
        }
        List<Item> dirs = new ArrayList<>();
        try (TarArchiveInputStream tar = open(spool)) {
            int index = 0;
            for (TarArchiveEntry t = next(tar); t != null; t = next(tar), index++) {
                Item it = byIndex.get(index);
                if (it == null) {
                    continue;
                }
                EntryMetadata meta = it.meta;
                switch (it.kind) {
                    case DIRECTORY:
                        sink.makeDirectory(it.path, withoutMtime(meta));
                        dirs.add(it);
                        break;
                    case FILE:
                        if (it.hardLink) {
                            sink.makeHardLink(it.path, it.linkTarget);
                        } else {
                            sink.writeFile(it.path, meta, tar, t.getSize());
                        }
                        break;
                    case SYMLINK:
                        sink.makeSymlink(it.path, it.symlinkTarget, meta);
                        break;
                    default:
                        sink.makeNode(it.path, it.kind, OciLayerWriter.makedev(t.getDevMajor(), t.getDevMinor()), meta);
                }
            }
        }
        if (options.applyMtimes) {
            for (int i = dirs.size() - 1; i >= 0; i--) {
                sink.setDirectoryMtime(dirs.get(i).path, dirs.get(i).meta.mtimeNanos());
            }
        }
        return new Summary(deletions, plan.items.size());
    }

    private static EntryMetadata withoutMtime(EntryMetadata m) {
        return new EntryMetadata(m.permissions(), m.uid(), m.gid(), null, m.xattrs());
    }
}
