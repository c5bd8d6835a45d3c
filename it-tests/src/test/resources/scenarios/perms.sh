#!/bin/sh
# EACCES / EPERM as an unprivileged user (uid/gid 65534) in a directory that user cannot write; the
# filesystem is mounted with default_permissions. Root prepares the tree, then the user acts on it.
# expect: mkdir in root-owned dir: EACCES
# expect: open 0600 root file for read: EACCES
# expect: chmod root file: EPERM
# expect: create in own dir: OK
set -eu
umask 022
mkdir ro rw sticky private
echo public > ro/public
echo secret > ro/secret && chmod 600 ro/secret
echo script > ro/noexec && chmod 644 ro/noexec
cp /bin/true ro/true && chmod 755 ro/true
echo inside > private/file && chmod 700 private
chown 65534:65534 rw
chmod 1777 sticky
echo rootfile > sticky/rootfile
echo group > ro/groupw && chgrp 65534 ro/groupw && chmod 664 ro/groupw
echo other > ro/otherw && chmod 646 ro/otherw
mkdir ro/sub
setfattr -n user.root -v r ro/public
mkdir sgid && chown 0:1234 sgid && chmod 2777 sgid
echo suid > suid && chmod 4777 suid
echo sgidx > sgidx && chmod 2777 sgidx
echo foreign-group > rw/foreign && chown 65534:0 rw/foreign
echo "setup: OK"
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 "$SCENARIOS/perms_user.py"
