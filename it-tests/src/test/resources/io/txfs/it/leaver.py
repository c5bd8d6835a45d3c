# Run inside a view (a descendant of its `txfs run`): enters DIR (MOUNT/.txfs/views/NAME/...) and reads
# there as a member, then leaves the view (`begin view=OTHER` through the control file) and uses the
# working directory it kept (each open, opendir and create is a request the daemon checks). Prints one JSON line: what worked before and
# after leaving, each as "ok" or the errno name.
import errno
import json
import os
import sys

directory, ctl, other = sys.argv[1], sys.argv[2], sys.argv[3]


def outcome(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def create(name):
    os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o666))


def begin():
    fd = os.open(ctl, os.O_RDWR)
    try:
        os.write(fd, ("begin view=%s\n" % other).encode())
    finally:
        os.close(fd)


os.chdir(directory)
before = {"read": outcome(lambda: read("data.txt")), "list": outcome(lambda: os.listdir("."))}
left = outcome(begin)
after = {"read": outcome(lambda: read("data.txt")), "list": outcome(lambda: os.listdir(".")),
         "create": outcome(lambda: create("leaver.txt"))}
print(json.dumps({"before": before, "left": left, "after": after}), flush=True)
