package io.txfs.core.inspect.access;

import io.txfs.core.inspect.EntryKind;
import io.txfs.core.inspect.EntryMetadata;
import io.txfs.core.inspect.EntryStat;
import io.txfs.core.inspect.Name;
import io.txfs.core.inspect.TreePath;
import io.txfs.core.inspect.TreeSink;
import io.txfs.core.inspect.TreeSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A sink that lets a layer change only what its caller could change by ordinary system calls: the daemon
 * applying an import runs as root, so without this a user's layer could replace root's files.
 *
 * <p>The rules are the kernel's for the same calls (mode bits, no ACLs): every directory walked through
 * needs search; adding or removing an entry needs write and search on its directory, and in a sticky
 * directory the caller must own the directory or the entry; changing an existing entry's mode or xattrs
 * needs its ownership; a hard link needs ownership of the file or read and write on it (the kernel's
 * {@code protected_hardlinks}); device nodes and xattrs outside {@code user.} need root. Entries the
 * import itself made belong to the caller, and so do directories the caller owns: their mode never
 * stops the import (the caller could chmod them, as tar does, and restores the layer's mode anyway).
 * A set-gid bit is dropped from a new non-directory whose group the caller is not in, as the kernel
 * does. A directory's mtime is set only where the caller owns the directory; elsewhere it keeps the
 * time the import's own changes gave it. Root passes every check; ownership from the layer is honoured
 * only for root (the importer's option).
 *
 * <p>{@code before} is the tree the layer applies to. The sink remembers what it made and removed, so it
 * answers the same whether {@code inner} really changes the tree (the apply) or not (a dry run): a
 * dry run through this sink refuses exactly what the apply would, before anything is changed.
 */
public final class CallerCheckedSink implements TreeSink {
    private final TreeSink inner;
    private final TreeSource before;
    private final AccessIdentity who;
    /** Paths this import made (their stat as made) or removed (null). */
    private final Map<TreePath, EntryStat> touched = new HashMap<>();

    private long made;

    public CallerCheckedSink(TreeSink inner, TreeSource before, AccessIdentity who) {
        this.inner = inner;
        this.before = before;
        this.who = who;
    }

    /** {@code inner} itself for root, who may change anything. */
    public static TreeSink forCaller(TreeSink inner, TreeSource before, AccessIdentity who) {
        return who.isRoot() ? inner : new CallerCheckedSink(inner, before, who);
    }

    @Override
    public Optional<EntryKind> kind(TreePath path) throws IOException {
        return inner.kind(path);
    }

    // ---- the tree as it is now: what this import did over what was there before ----

    private Optional<EntryStat> stat(TreePath path) throws IOException {
        for (TreePath p = path; !p.isRoot(); p = p.parent()) {
            if (touched.containsKey(p)) {
                if (p.equals(path)) {
                    return Optional.ofNullable(touched.get(p));
                }
                // below something this import made or removed: only what it made since is there
                return Optional.empty();
            }
        }
        try {
            return Optional.of(before.stat(path));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private EntryStat existing(TreePath path) throws IOException {
        return stat(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
    }

    /** The names in a directory now, for a removal below it. */
    private List<Name> children(TreePath dir) throws IOException {
        TreeSet<Name> names = new TreeSet<>();
        if (!madeHere(dir)) {
            names.addAll(before.list(dir));
        }
        for (TreePath p : touched.keySet()) {
            if (!p.isRoot() && p.parent().equals(dir)) {
                names.add(p.name());
            }
        }
        List<Name> present = new ArrayList<>();
        for (Name n : names) {
            if (stat(dir.resolve(n)).isPresent()) {
                present.add(n);
            }
        }
        return present;
    }

    private boolean madeHere(TreePath path) {
        for (TreePath p = path; !p.isRoot(); p = p.parent()) {
            if (touched.containsKey(p)) {
                return true;
            }
        }
        return false;
    }

    private void made(TreePath path, EntryKind kind, int permissions, long gid) {
        touched.put(path, new EntryStat(kind, permissions, who.uid(), gid, 0, 0, 0, 1, "made-" + made++));
    }

    // ---- checks ----

    /** The caller owns it, or it grants {@code bits}: an owner could always chmod its way in. */
    private boolean mayUse(EntryStat s, int bits) {
        return who.owns(s) || who.allows(s, bits);
    }

    private void requireSearch(TreePath path) throws IOException {
        for (TreePath dir = path.isRoot() ? path : path.parent(); ; dir = dir.parent()) {
            if (!mayUse(existing(dir), AccessIdentity.X)) {
                throw new AccessDeniedException(dir.toString(), null, "no search permission for uid " + who.uid());
            }
            if (dir.isRoot()) {
                return;
            }
        }
    }

    /** Adding or removing {@code path}'s name in its directory. */
    private EntryStat requireDirectoryWrite(TreePath path) throws IOException {
        requireSearch(path);
        EntryStat dir = existing(path.parent());
        if (!mayUse(dir, AccessIdentity.W | AccessIdentity.X)) {
            throw new AccessDeniedException(
                    path.parent().toString(),
                    null,
                    "no write permission for uid " + who.uid() + " to add or remove " + path.name());
        }
        return dir;
    }

    /** Removing {@code path} (and, for a directory, all below it) as {@code unlink}/{@code rmdir} would. */
    private void requireRemovable(TreePath path, EntryStat s) throws IOException {
        EntryStat dir = requireDirectoryWrite(path);
        if ((dir.permissions() & 01000) != 0 && !who.owns(dir) && !who.owns(s)) {
            throw new NotPermittedException(
                    path.toString(),
                    "sticky directory: uid " + who.uid() + " owns neither the entry nor the directory");
        }
        if (s.kind() == EntryKind.DIRECTORY) {
            for (Name n : children(path)) {
                TreePath child = path.resolve(n);
                requireRemovable(child, existing(child));
            }
        }
    }

    private void forget(TreePath path) {
        touched.keySet().removeIf(p -> p.startsWith(path));
        touched.put(path, null);
    }

    /** Clears the way for a new entry at {@code path}: its directory must take it, an old entry must go. */
    private EntryStat requireCreatable(TreePath path) throws IOException {
        EntryStat dir = requireDirectoryWrite(path);
        Optional<EntryStat> old = stat(path);
        if (old.isPresent()) {
            requireRemovable(path, old.get());
        }
        return dir;
    }

    private void requireXattrs(TreePath path, EntryKind kind, EntryMetadata meta) throws IOException {
        for (Name x : meta.xattrs().keySet()) {
            if (!new String(x.bytes(), StandardCharsets.ISO_8859_1).startsWith("user.")) {
                throw new NotPermittedException(
                        path.toString(), "xattr " + x + ": only root may set names outside user.");
            }
            if (kind != EntryKind.FILE && kind != EntryKind.DIRECTORY) {
                throw new NotPermittedException(
                        path.toString(), "xattr " + x + ": user xattrs need a file or directory");
            }
        }
    }

    /** The group a new entry gets: its directory's when that is set-gid, else the caller's. */
    private long newGroup(EntryStat dir) {
        return (dir.permissions() & 02000) != 0 ? dir.gid() : who.primaryGid();
    }

    /** The kernel drops set-gid from a new non-directory whose group the caller is not in. */
    private EntryMetadata asMade(EntryKind kind, EntryMetadata meta, long gid) {
        if (kind == EntryKind.DIRECTORY
                || (meta.permissions() & 02000) == 0
                || who.groups().contains(gid)) {
            return meta;
        }
        return new EntryMetadata(meta.permissions() & ~02000, meta.uid(), meta.gid(), meta.mtimeNanos(), meta.xattrs());
    }

    // ---- the sink ----

    @Override
    public void delete(TreePath path) throws IOException {
        Optional<EntryStat> s = path.isRoot() ? Optional.empty() : stat(path);
        if (s.isPresent()) {
            requireRemovable(path, s.get());
            forget(path);
        }
        inner.delete(path);
    }

    @Override
    public void clearDirectory(TreePath dir) throws IOException {
        requireSearch(dir);
        for (Name n : children(dir)) {
            TreePath child = dir.resolve(n);
            requireRemovable(child, existing(child));
        }
        for (Name n : children(dir)) {
            forget(dir.resolve(n));
        }
        inner.clearDirectory(dir);
    }

    @Override
    public void makeDirectory(TreePath path, EntryMetadata meta) throws IOException {
        requireXattrs(path, EntryKind.DIRECTORY, meta);
        Optional<EntryStat> old = stat(path);
        if (old.isPresent() && old.get().kind() == EntryKind.DIRECTORY) {
            requireSearch(path);
            if (!who.owns(old.get()) && !sameMetadata(path, old.get(), meta)) {
                throw new NotPermittedException(
                        path.toString(),
                        "mode or xattrs of a directory owned by uid "
                                + old.get().uid() + " cannot be changed by uid " + who.uid());
            }
            inner.makeDirectory(path, meta);
            return;
        }
        EntryStat dir = requireCreatable(path);
        forget(path);
        made(path, EntryKind.DIRECTORY, meta.permissions(), newGroup(dir));
        inner.makeDirectory(path, meta);
    }

    private boolean sameMetadata(TreePath path, EntryStat old, EntryMetadata meta) throws IOException {
        if (old.permissions() != meta.permissions()) {
            return false;
        }
        Map<Name, byte[]> have = before.xattrs(path);
        if (!have.keySet().equals(meta.xattrs().keySet())) {
            return false;
        }
        for (Map.Entry<Name, byte[]> e : have.entrySet()) {
            if (!Arrays.equals(e.getValue(), meta.xattrs().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void writeFile(TreePath path, EntryMetadata meta, InputStream content, long size) throws IOException {
        requireXattrs(path, EntryKind.FILE, meta);
        EntryStat dir = requireCreatable(path);
        long gid = newGroup(dir);
        forget(path);
        made(path, EntryKind.FILE, meta.permissions(), gid);
        inner.writeFile(path, asMade(EntryKind.FILE, meta, gid), content, size);
    }

    @Override
    public void makeSymlink(TreePath path, byte[] target, EntryMetadata meta) throws IOException {
        requireXattrs(path, EntryKind.SYMLINK, meta);
        EntryStat dir = requireCreatable(path);
        forget(path);
        made(path, EntryKind.SYMLINK, 0777, newGroup(dir));
        inner.makeSymlink(path, target, meta);
    }

    @Override
    public void makeHardLink(TreePath path, TreePath existing) throws IOException {
        requireSearch(existing);
        EntryStat target = existing(existing);
        boolean safe = target.kind() == EntryKind.FILE
                && (target.permissions() & 04000) == 0
                && (target.permissions() & 02010) != 02010;
        if (!who.owns(target) && !(safe && who.allows(target, AccessIdentity.R | AccessIdentity.W))) {
            throw new NotPermittedException(
                    path.toString(),
                    "hard link to " + existing + ", owned by uid " + target.uid()
                            + ", needs its ownership or read and write on it (protected_hardlinks)");
        }
        if (stat(path).equals(Optional.of(target))) {
            inner.makeHardLink(path, existing);
            return;
        }
        requireCreatable(path);
        forget(path);
        touched.put(path, target);
        inner.makeHardLink(path, existing);
    }

    @Override
    public void makeNode(TreePath path, EntryKind kind, long rdev, EntryMetadata meta) throws IOException {
        if (kind.isDevice()) {
            throw new NotPermittedException(path.toString(), "only root may create device nodes");
        }
        requireXattrs(path, kind, meta);
        EntryStat dir = requireCreatable(path);
        long gid = newGroup(dir);
        forget(path);
        made(path, kind, meta.permissions(), gid);
        inner.makeNode(path, kind, rdev, asMade(kind, meta, gid));
    }

    @Override
    public void setDirectoryMtime(TreePath path, long mtimeNanos) throws IOException {
        if (who.owns(existing(path))) {
            inner.setDirectoryMtime(path, mtimeNanos);
        }
    }
}
