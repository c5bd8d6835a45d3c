# Tries, as whoever runs it, to get into a view through MOUNT/.txfs/views/NAME by every way a path walk
# offers: stat, list, open and read, create, write, chdir. Prints "ready", then tries again and again
# until its stdin closes ("loop"), or once ("once"); then prints one JSON line: how many attempts, which
# succeeded (none may), and the errnos of the failures. With a third argument, a file outside the mount,
# it writes its attempts so far there after every round, so a test can wait for the rounds it needs.
import errno
import json
import os
import select
import sys

root = sys.argv[1]
mode = sys.argv[2]
progress = sys.argv[3] if len(sys.argv) > 3 else None
attempts = 0
wins = []
errnos = {}


def attempt(name, f):
    global attempts
    attempts += 1
    try:
        f()
        wins.append(name)
    except OSError as e:
        n = errno.errorcode.get(e.errno, str(e.errno))
        errnos[n] = errnos.get(n, 0) + 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def create(path):
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o666))


def append(path):
    with open(path, "ab") as f:
        f.write(b"intruder\n")


tries = [
    ("stat root", lambda: os.stat(root)),
    ("list root", lambda: os.listdir(root)),
    ("stat dir", lambda: os.stat(root + "/open")),
    ("list dir", lambda: os.listdir(root + "/open")),
    ("stat file", lambda: os.stat(root + "/open/data.txt")),
    ("read file", lambda: read(root + "/open/data.txt")),
    ("write file", lambda: append(root + "/open/data.txt")),
    ("create", lambda: create(root + "/open/intruder.txt")),
    ("mkdir", lambda: os.mkdir(root + "/open/intruder.d")),
    ("chdir", lambda: os.chdir(root + "/open")),
    ("read top", lambda: read(root + "/top.txt")),
]

print("ready", flush=True)
while True:
    for t in tries:
        attempt(*t)
    if mode == "once":
        break
    if progress:
        with open(progress + ".tmp", "w") as f:
            f.write(str(attempts))
        os.replace(progress + ".tmp", progress)
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    if ready and not sys.stdin.readline():
        break
print(json.dumps({"attempts": attempts, "wins": sorted(set(wins)), "won": len(wins), "errnos": errnos}), flush=True)
