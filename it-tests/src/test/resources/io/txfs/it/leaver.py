# Run inside a view (a descendant of its `txfs run`): enters DIR (MOUNT/.txfs/views/NAME/...) and reads
# there as a member, tries to begin a child of the view by a new name (only the view's owner nests in it),
# then leaves the view (`begin view=OTHER`, an existing view of its own, through the control file) and uses the
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


def begin(name):
    fd = os.open(ctl, os.O_RDWR)
    try:
        os.write(fd, ("begin view=%s\n" % name).encode())
    finally:
        os.close(fd)


os.chdir(directory)
before = {"read": outcome(lambda: read("data.txt")), "list": outcome(lambda: os.listdir("."))}
nest = outcome(lambda: begin(other + "-child"))
left = outcome(lambda: begin(other))
after = {"read": outcome(lambda: read("data.txt")), "list": outcome(lambda: os.listdir(".")),
         "create": outcome(lambda: create("leaver.txt"))}
print(json.dumps({"before": before, "nest": nest, "left": left, "after": after}), flush=True)
