package io.txfs.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Records each call with its decoded arguments as one line and answers with fixed results. */
final class RecordingFilesystem implements FuseFilesystem {
    static final Attr ATTR =
            new Attr(0x1111, 0x2222, 0x3333, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0100644, 3, 1000, 1001, 0x0801, 4096);
    static final Entry ENTRY = new Entry(0xABCDL, 0x7L, ATTR, 1_500_000_000L, 2_250_000_000L);

    final List<String> calls = new ArrayList<>();
    RuntimeException throwUnchecked;
    IOException throwChecked;
    InitInfo init;

    String last() {
        return calls.get(calls.size() - 1);
    }

    private void rec(RequestContext c, String s) throws IOException {
        calls.add((c == null ? "" : c.uid() + "/" + c.gid() + "/" + c.pid() + " ") + s);
        if (throwChecked != null) {
            throw throwChecked;
        }
        if (throwUnchecked != null) {
            throw throwUnchecked;
        }
    }

    private static String bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void init(InitInfo info) {
        init = info;
    }

    @Override
    public Entry lookup(RequestContext c, long parent, byte[] name) throws IOException {
        rec(c, "lookup " + parent + " " + s(name));
        return ENTRY;
    }

    @Override
    public void forget(long node, long nlookup) {
        calls.add("forget " + node + " " + nlookup);
    }

    @Override
    public AttrReply getattr(RequestContext c, long node, long fh) throws IOException {
        rec(c, "getattr " + node + " fh=" + fh);
        return new AttrReply(ATTR, 3_000_000_005L);
    }

    @Override
    public AttrReply setattr(RequestContext c, long node, SetAttr a) throws IOException {
        rec(c, "setattr " + node + " " + a);
        return new AttrReply(ATTR, 0);
    }

    @Override
    public byte[] readlink(RequestContext c, long node) throws IOException {
        rec(c, "readlink " + node);
        return b("target/x");
    }

    @Override
    public Entry symlink(RequestContext c, long parent, byte[] name, byte[] target) throws IOException {
        rec(c, "symlink " + parent + " " + s(name) + " -> " + s(target));
        return ENTRY;
    }

    @Override
    public Entry mknod(RequestContext c, long parent, byte[] name, int mode, int rdev, int umask) throws IOException {
        rec(
                c,
                "mknod " + parent + " " + s(name) + " " + Integer.toOctalString(mode) + " " + Integer.toHexString(rdev)
                        + " " + Integer.toOctalString(umask));
        return ENTRY;
    }

    @Override
    public Entry mkdir(RequestContext c, long parent, byte[] name, int mode, int umask) throws IOException {
        rec(
                c,
                "mkdir " + parent + " " + s(name) + " " + Integer.toOctalString(mode) + " "
                        + Integer.toOctalString(umask));
        return ENTRY;
    }

    @Override
    public void unlink(RequestContext c, long parent, byte[] name) throws IOException {
        rec(c, "unlink " + parent + " " + s(name));
    }

    @Override
    public void rmdir(RequestContext c, long parent, byte[] name) throws IOException {
        rec(c, "rmdir " + parent + " " + s(name));
    }

    @Override
    public void rename(RequestContext c, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws IOException {
        rec(c, "rename " + parent + " " + s(name) + " " + newParent + " " + s(newName) + " " + flags);
    }

    @Override
    public Entry link(RequestContext c, long node, long newParent, byte[] newName) throws IOException {
        rec(c, "link " + node + " " + newParent + " " + s(newName));
        return ENTRY;
    }

    @Override
    public OpenResult open(RequestContext c, long node, int flags) throws IOException {
        rec(c, "open " + node + " " + Integer.toOctalString(flags));
        return new OpenResult(0x1234_5678_9ABCL, OpenResult.FOPEN_KEEP_CACHE | OpenResult.FOPEN_PASSTHROUGH, 5);
    }

    @Override
    public CreateResult create(RequestContext c, long parent, byte[] name, int mode, int flags, int umask)
            throws IOException {
        rec(
                c,
                "create " + parent + " " + s(name) + " " + Integer.toOctalString(mode) + " "
                        + Integer.toOctalString(flags) + " " + Integer.toOctalString(umask));
        return new CreateResult(ENTRY, OpenResult.of(99, OpenResult.FOPEN_DIRECT_IO));
    }

    @Override
    public int read(RequestContext c, long node, long fh, long offset, ByteBuffer dst) throws IOException {
        rec(c, "read " + node + " " + fh + " " + offset + " " + dst.remaining());
        byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(data.length, dst.remaining());
        dst.put(data, 0, n);
        return n;
    }

    @Override
    public int write(RequestContext c, long node, long fh, long offset, ByteBuffer data, int writeFlags)
            throws IOException {
        rec(c, "write " + node + " " + fh + " " + offset + " " + writeFlags + " " + bytes(data));
        return data.remaining();
    }

    @Override
    public void flush(RequestContext c, long node, long fh, long lockOwner) throws IOException {
        rec(c, "flush " + node + " " + fh + " " + Long.toHexString(lockOwner));
    }

    @Override
    public void release(RequestContext c, long node, long fh, int flags) throws IOException {
        rec(c, "release " + node + " " + fh + " " + Integer.toOctalString(flags));
    }

    @Override
    public void fsync(RequestContext c, long node, long fh, boolean datasync) throws IOException {
        rec(c, "fsync " + node + " " + fh + " " + datasync);
    }

    @Override
    public OpenResult opendir(RequestContext c, long node, int flags) throws IOException {
        rec(c, "opendir " + node + " " + Integer.toOctalString(flags));
        return OpenResult.of(77, OpenResult.FOPEN_CACHE_DIR);
    }

    @Override
    public void readdir(RequestContext c, long node, long fh, long offset, DirectoryFiller f) throws IOException {
        rec(c, "readdir " + node + " " + fh + " " + offset);
        String[] names = {".", "..", "a", "bbbbbbbbb"};
        for (int i = (int) offset; i < names.length; i++) {
            if (!f.add(b(names[i]), 100 + i, i < 2 ? 4 : 8, i + 1)) {
                return;
            }
        }
    }

    @Override
    public void readdirplus(RequestContext c, long node, long fh, long offset, DirectoryFiller f) throws IOException {
        rec(c, "readdirplus " + node + " " + fh + " " + offset);
        if (offset == 0 && !f.add(b("."), 1, 4, 1)) {
            return;
        }
        f.addPlus(b("file"), ENTRY, 2);
    }

    @Override
    public void releasedir(RequestContext c, long node, long fh) throws IOException {
        rec(c, "releasedir " + node + " " + fh);
    }

    @Override
    public void fsyncdir(RequestContext c, long node, long fh, boolean datasync) throws IOException {
        rec(c, "fsyncdir " + node + " " + fh + " " + datasync);
    }

    @Override
    public StatFs statfs(RequestContext c, long node) throws IOException {
        rec(c, "statfs " + node);
        return new StatFs(10, 9, 8, 7, 6, 4096, 255, 512);
    }

    @Override
    public void setxattr(RequestContext c, long node, String name, ByteBuffer value, int flags) throws IOException {
        rec(c, "setxattr " + node + " " + name + " " + bytes(value) + " " + flags);
    }

    @Override
    public int getxattr(RequestContext c, long node, String name, ByteBuffer dst) throws IOException {
        rec(c, "getxattr " + node + " " + name + " " + dst.remaining());
        byte[] v = "value".getBytes(StandardCharsets.US_ASCII);
        if (dst.remaining() >= v.length) {
            dst.put(v);
        }
        return v.length;
    }

    @Override
    public int listxattr(RequestContext c, long node, ByteBuffer dst) throws IOException {
        rec(c, "listxattr " + node + " " + dst.remaining());
        byte[] v = "user.a\0user.b\0".getBytes(StandardCharsets.US_ASCII);
        if (dst.remaining() >= v.length) {
            dst.put(v);
        }
        return v.length;
    }

    @Override
    public void removexattr(RequestContext c, long node, String name) throws IOException {
        rec(c, "removexattr " + node + " " + name);
    }

    @Override
    public void access(RequestContext c, long node, int mask) throws IOException {
        rec(c, "access " + node + " " + mask);
    }

    @Override
    public void fallocate(RequestContext c, long node, long fh, int mode, long offset, long length) throws IOException {
        rec(c, "fallocate " + node + " " + fh + " " + mode + " " + offset + " " + length);
    }

    @Override
    public long lseek(RequestContext c, long node, long fh, long offset, int whence) throws IOException {
        rec(c, "lseek " + node + " " + fh + " " + offset + " " + whence);
        return 4096;
    }

    @Override
    public void destroy() {
        calls.add("destroy");
    }

    private static String s(byte[] name) {
        return Names.decode(name);
    }

    private static byte[] b(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
