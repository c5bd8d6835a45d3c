# A process the view tests drive from Java: one JSON command per stdin line, one JSON reply per stdout line.
# It runs inside a view (started by `txfs run`), so every file operation it makes is that view's.
# Replies: {"ok": true, "result": ...} or {"ok": false, "errno": "ENOENT", "error": "..."}.
# Byte strings travel as latin-1 text so any byte survives JSON.
import errno
import hashlib
import json
import mmap
import os
import random
import stat
import subprocess
import ctypes
import sys

fds = {}
maps = {}
procs = {}
counter = [0]


def new_id():
    counter[0] += 1
    return counter[0]


def b(text):
    return text.encode("latin-1")


def t(data):
    return data.decode("latin-1")


def read_all(path):
    with open(path, "rb") as f:
        return f.read()


def write_file(path, data, fsync=False, nonblock=False):
    # nonblock: a fifo without a reader fails (ENXIO) instead of blocking the agent
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (os.O_NONBLOCK if nonblock else 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def stat_dict(st):
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino, "mode": st.st_mode,
            "nlink": st.st_nlink}


def ctl(mount, line_bytes):
    """Writes one command to the control file; returns the write's errno name (None when it succeeded) and the reply."""
    fd = os.open(os.path.join(mount, ".txfs/ctl"), os.O_RDWR)
    try:
        err = None
        written = None
        try:
            written = os.write(fd, line_bytes)
        except OSError as e:
            err = errno.errorcode.get(e.errno, str(e.errno))
        chunks = []
        while True:
            c = os.read(fd, 65536)
            if not c:
                break
            chunks.append(c)
        raw = b"".join(chunks).decode("utf-8", "replace")
        try:
            reply = json.loads(raw) if raw.strip() else None
        except ValueError:
            reply = {"unparsed": raw}
        return {"errno": err, "written": written, "reply": reply}
    finally:
        os.close(fd)


def generation_payload(g, path):
    # the generation three times, padded differently per file, so a torn file shows as well as a mixed set
    line = "gen=%08d path=%s\n" % (g, path)
    return (line * (1 + (g % 7) * 40)).encode()


def generation_of(data, path):
    lines = data.decode("latin-1").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return None, "empty"
    first = lines[0]
    if any(l != first for l in lines):
        return None, "torn content (%d lines, first %r)" % (len(lines), first)
    g = int(first[4:12])
    if len(lines) != 1 + (g % 7) * 40:
        return None, "gen %d with %d lines, expected %d" % (g, len(lines), 1 + (g % 7) * 40)
    return g, None


libc = ctypes.CDLL(None, use_errno=True)


def describe(path):
    """What a name is, as the differential tests compare it: type and content, symlink target, or errno."""
    try:
        st = os.lstat(path)
    except OSError as e:
        return "error " + errno.errorcode.get(e.errno, str(e.errno))
    if stat.S_ISLNK(st.st_mode):
        return "symlink " + os.readlink(path)
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISFIFO(st.st_mode):
        return "fifo"
    if stat.S_ISREG(st.st_mode):
        try:
            return "file %d %s" % (st.st_size, t(read_all(path)))
        except OSError as e:
            return "file unreadable " + errno.errorcode.get(e.errno, str(e.errno))
    return "mode %o" % st.st_mode


def snapshot(root):
    """Every name under root (but .txfs), by path relative to it, described; listed in sorted order."""
    out = {}

    def walk(rel):
        d = os.path.join(root, rel) if rel else root
        try:
            names = sorted(os.listdir(d))
        except OSError as e:
            out[rel + "/" if rel else "/"] = "list error " + errno.errorcode.get(e.errno, str(e.errno))
            return
        for n in names:
            if not rel and n == ".txfs":
                continue
            r = rel + "/" + n if rel else n
            out[r] = describe(os.path.join(root, r))
            if out[r] == "dir":
                walk(r)

    walk("")
    return out


def op(a):
    o = a["op"]
    if o == "pid":
        return os.getpid()
    if o == "read":
        return t(read_all(a["path"]))
    if o == "write":
        write_file(a["path"], b(a["data"]), a.get("fsync", False), a.get("nonblock", False))
        return None
    if o == "append":
        with open(a["path"], "ab") as f:
            f.write(b(a["data"]))
        return None
    if o == "stat":
        return stat_dict(os.stat(a["path"], follow_symlinks=False))
    if o == "exists":
        return os.path.lexists(a["path"])
    if o == "link":
        os.link(a["src"], a["dst"])
        return None
    if o == "symlink":
        os.symlink(a["target"], a["path"])
        return None
    if o == "mkfifo":
        os.mkfifo(a["path"], 0o644)
        return None
    if o == "exchange":
        # renameat2(RENAME_EXCHANGE): both names must exist; each takes the other's place
        if libc.renameat2(-100, os.fsencode(a["src"]), -100, os.fsencode(a["dst"]), 2) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        return None
    if o == "describe":
        return {p: describe(p) for p in a["paths"]}
    if o == "snapshot":
        return snapshot(a["path"])
    if o == "chdir":
        os.chdir(a["path"])
        return None
    if o == "getcwd":
        return os.getcwd()
    if o == "listdir":
        return sorted(os.listdir(a["path"]))
    if o == "unlink":
        os.unlink(a["path"])
        return None
    if o == "mkdir":
        os.mkdir(a["path"], a.get("mode", 0o777))
        return None
    if o == "rmdir":
        os.rmdir(a["path"])
        return None
    if o == "rename":
        os.rename(a["path"], a["to"])
        return None
    if o == "makedirs":
        os.makedirs(a["path"], exist_ok=True)
        return None
    if o == "chmod":
        os.chmod(a["path"], a["mode"])
        return None
    if o == "truncate":
        os.truncate(a["path"], a["size"])
        return None
    if o == "setxattr":
        os.setxattr(a["path"], a["name"], b(a["value"]), a.get("flags", 0))
        return None
    if o == "removexattr":
        os.removexattr(a["path"], a["name"])
        return None
    if o == "create":
        # O_EXCL: an existing name is EEXIST, as a creat that must make a new file
        fd = os.open(a["path"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, a.get("mode", 0o644))
        try:
            os.write(fd, b(a["data"]))
        finally:
            os.close(fd)
        return None
    if o == "pwrite":
        fd = os.open(a["path"], os.O_WRONLY)
        try:
            os.pwrite(fd, b(a["data"]), a["offset"])
        finally:
            os.close(fd)
        return None
    if o == "readlink":
        return t(os.readlink(os.fsencode(a["path"])))
    if o == "entries":
        # name and d_type of each entry, as readdir hands them out (no stat)
        out = []
        with os.scandir(a["path"]) as it:
            for e in it:
                kind = ("symlink" if e.is_symlink() else "dir" if e.is_dir(follow_symlinks=False)
                        else "file" if e.is_file(follow_symlinks=False) else "other")
                out.append([e.name, kind])
        return sorted(out)
    if o == "getxattr":
        return t(os.getxattr(a["path"], a["name"]))
    if o == "listxattr":
        return sorted(n for n in os.listxattr(a["path"]) if n.startswith("user."))
    if o == "open":
        flags = {"r": os.O_RDONLY, "rw": os.O_RDWR, "dir": os.O_RDONLY | os.O_DIRECTORY}[a["how"]]
        fd = os.open(a["path"], flags)
        i = new_id()
        fds[i] = fd
        return i
    if o == "fdread":
        return t(os.pread(fds[a["fd"]], 1 << 20, 0))
    if o == "fdwrite":
        os.pwrite(fds[a["fd"]], b(a["data"]), a.get("offset", 0))
        return None
    if o == "fdstat":
        return stat_dict(os.fstat(fds[a["fd"]]))
    if o == "fdlist":
        # a fresh descriptor on the same directory, so the listing starts at the beginning
        d = os.open(".", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[a["fd"]])
        try:
            return sorted(os.listdir(d))
        finally:
            os.close(d)
    if o == "fdcreate":
        fd = os.open(a["name"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=fds[a["fd"]])
        try:
            os.write(fd, b(a["data"]))
        finally:
            os.close(fd)
        return None
    if o == "fdreadat":
        fd = os.open(a["name"], os.O_RDONLY, dir_fd=fds[a["fd"]])
        try:
            return t(os.read(fd, 1 << 20))
        finally:
            os.close(fd)
    if o == "close":
        os.close(fds.pop(a["fd"]))
        return None
    if o == "map":
        shared = a["shared"]
        writable = a.get("writable", False)
        fd = os.open(a["path"], os.O_RDWR if writable else os.O_RDONLY)
        try:
            m = mmap.mmap(fd, 0, flags=mmap.MAP_SHARED if shared else mmap.MAP_PRIVATE,
                          prot=mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0))
        finally:
            os.close(fd)
        i = new_id()
        maps[i] = m
        return i
    if o == "mapread":
        m = maps[a["map"]]
        return t(m[:])
    if o == "mapwrite":
        m = maps[a["map"]]
        data = b(a["data"])
        off = a.get("offset", 0)
        m[off:off + len(data)] = data
        m.flush()
        return None
    if o == "unmap":
        maps.pop(a["map"]).close()
        return None
    if o == "run":
        p = subprocess.run(a["argv"], cwd=a.get("cwd"), capture_output=True, timeout=a.get("timeout", 120))
        return {"code": p.returncode, "out": t(p.stdout), "err": t(p.stderr)}
    if o == "spawn":
        # starts a program that prints one line and then waits for its stdin to close
        p = subprocess.Popen(a["argv"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = p.stdout.readline()
        i = new_id()
        procs[i] = p
        return {"id": i, "line": t(first), "pid": p.pid}
    if o == "finish":
        p = procs.pop(a["id"])
        out, err = p.communicate(timeout=60)
        return {"code": p.returncode, "out": t(out), "err": t(err)}
    if o == "ctl":
        return ctl(a["mount"], b(a["line"]))
    if o == "ctl_junk":
        if a["kind"] == "huge":
            data = b"publish " + b"x" * (a["size"] - 8)
        elif a["kind"] == "binary":
            data = bytes(random.Random(4).randrange(256) for _ in range(a["size"]))
        else:
            raise ValueError("kind")
        return ctl(a["mount"], data)
    if o == "gen_write":
        # writes generation g into every file, then publishes; for g in [first, last]
        done = []
        for g in range(a["first"], a["last"] + 1):
            for p in a["paths"]:
                write_file(p, generation_payload(g, os.path.basename(p)))
            r = ctl(a["mount"], b"publish\n")
            if r["errno"] is not None:
                return {"published": done, "failed": g, "reply": r}
            done.append(g)
            if a.get("journal"):
                with open(a["journal"], "a") as j:
                    j.write("%d\n" % g)
        return {"published": done}
    if o == "gen_check":
        return gen_check(a)
    if o == "crash_write":
        # write-heavy: files written and closed one after another; each is journaled (outside the mount)
        # only after its write and close returned
        n = 0
        with open(a["journal"], "a") as j:
            try:
                for i in range(a["count"]):
                    path = os.path.join(a["dir"], "f%05d" % i)
                    data = (("%05d:" % i) * (a["size"] // 6 + 1)).encode()[: a["size"] + i % 977]
                    write_file(path, data, a.get("fsync", False))
                    j.write("%s %d %s\n" % (os.path.basename(path), len(data), hashlib.sha256(data).hexdigest()))
                    j.flush()
                    n += 1
            except OSError as e:
                return {"written": n, "stopped": errno.errorcode.get(e.errno, str(e.errno))}
        return {"written": n, "stopped": None}
    if o == "sha":
        out = {}
        for p in a["paths"]:
            try:
                data = read_all(p)
                out[os.path.basename(p)] = "%d %s" % (len(data), hashlib.sha256(data).hexdigest())
            except OSError as e:
                out[os.path.basename(p)] = errno.errorcode.get(e.errno, str(e.errno))
        return out
    raise ValueError("unknown op " + o)


def gen_check(a):
    """
    Reads N files again and again while another view publishes generations.
    read-committed: each read sees the state published at that moment and generations only grow, so in
    the order the files are read the generations never decrease; a partly visible publish, or a stale page,
    shows as a decrease for some read order (forward, backward and shuffled orders are all used).
    snapshot: after its own (empty) publish the view sits on one published version, so all N files hold one
    generation.
    Stops after seeing the final generation everywhere, or after max_rounds.
    """
    paths = a["paths"]
    rng = random.Random(7)
    violations = []
    seen = set()
    rounds = 0
    final = a["final"]
    while rounds < a["max_rounds"]:
        rounds += 1
        if a["mode"] == "snapshot":
            r = ctl(a["mount"], b"publish\n")
            if r["errno"] is not None:
                violations.append("refresh publish failed: %s" % r)
                break
        order = list(paths)
        if rounds % 3 == 1:
            order.reverse()
        elif rounds % 3 == 2:
            rng.shuffle(order)
        got = []
        for p in order:
            g, problem = generation_of(read_all(p), p)
            if problem:
                violations.append("round %d %s: %s" % (rounds, os.path.basename(p), problem))
            got.append(g)
        if None in got:
            continue
        seen.update(got)
        if a["mode"] == "snapshot":
            if len(set(got)) != 1:
                violations.append("round %d: one snapshot shows generations %s" % (
                    rounds, dict(zip([os.path.basename(p) for p in order], got))))
        else:
            for i in range(1, len(got)):
                if got[i] < got[i - 1]:
                    violations.append("round %d: read %s=%d after %s=%d" % (
                        rounds, os.path.basename(order[i]), got[i], os.path.basename(order[i - 1]), got[i - 1]))
                    break
        if len(violations) > 10:
            break
        if all(g == final for g in got):
            break
    return {"rounds": rounds, "violations": violations[:10], "seen": sorted(seen)}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = {"ok": True, "result": op(json.loads(line))}
        except OSError as e:
            reply = {"ok": False, "errno": errno.errorcode.get(e.errno, str(e.errno)), "error": str(e)}
        except Exception as e:  # reported to the test, which fails with it
            reply = {"ok": False, "errno": None, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
