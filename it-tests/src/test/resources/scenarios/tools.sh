#!/bin/sh
# Everyday tools at work in the directory: git (lock files, renames, mmap, fsync), tar with hard
# links, symlinks, xattrs and sparse files, cp -a, find. Dates and names are fixed so that every
# hash and listing is reproducible.
# expect: git fsck: OK
# expect: tar round trip equal: OK
set -eu
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
export GIT_AUTHOR_DATE="2001-09-09T01:46:40Z" GIT_COMMITTER_DATE="2001-09-09T01:46:40Z" HOME=$PWD GIT_CONFIG_NOSYSTEM=1
step() { # step LABEL CMD...: LABEL: OK, or LABEL: exit=N
  label=$1; shift
  if "$@" >/dev/null 2>&1; then echo "$label: OK"; else echo "$label: exit=$?"; fi
}
mkdir repo && cd repo
step "git init" git init -q -b main
mkdir -p src/deep && printf 'int main(void) { return 0; }\n' > src/main.c
seq 1 5000 > src/numbers.txt && printf '#!/bin/sh\necho hi\n' > run.sh && chmod 755 run.sh
ln -s src/main.c link-to-main
step "git add" git add -A
step "git commit" git commit -q -m first
echo "commit 1: $(git rev-parse HEAD)"
git mv src/numbers.txt src/deep/numbers.txt && sed -i 's/^1$/one/' src/deep/numbers.txt
step "git commit 2" git commit -q -am second
echo "commit 2: $(git rev-parse HEAD)"
step "git gc" git gc -q
step "git fsck" git fsck --strict
echo "status: $(git status --porcelain | wc -l) changes"
step "git checkout first" git checkout -q HEAD~1
echo "numbers at first: $(wc -l < src/numbers.txt) lines, mode of run.sh $(stat -c %a run.sh)"
step "git checkout main" git checkout -q main
echo "tree: $(git ls-tree -r HEAD | sha256sum | cut -c1-16)"
cd ..

mkdir -p t/a/b && printf 'hello\n' > t/a/file && ln t/a/file t/a/b/hardlink && ln -s ../file t/a/b/sym
setfattr -n user.note -v kept t/a/file
truncate -s 8M t/sparse && printf 'end' | dd of=t/sparse bs=1 seek=5000000 conv=notrunc status=none
step "tar create" tar --sort=name --mtime=@1000000000 --owner=0 --group=0 --numeric-owner --xattrs --sparse -cf t.tar t
echo "tar listing: $(tar -tvf t.tar | sha256sum | cut -c1-16)"
mkdir x && step "tar extract" tar --xattrs --xattrs-include='user.*' -C x -xf t.tar
echo "extracted hard link count: $(stat -c %h x/t/a/file)"
echo "extracted xattr: $(getfattr --only-values -n user.note x/t/a/file 2>&1)"
echo "extracted sparse file: size $(stat -c %s x/t/sparse), sparse $( [ $(( $(stat -c %b x/t/sparse) * 512 )) -lt 1048576 ] && echo yes || echo no)"
if diff -r t x/t >/dev/null 2>&1; then echo "tar round trip equal: OK"; else echo "tar round trip equal: differs"; fi
step "cp -a" cp -a t c
echo "cp -a listing: $(cd c && find . -printf '%y %m %n %s %l %p\n' | sort | sha256sum | cut -c1-16)"
echo "original listing: $(cd t && find . -printf '%y %m %n %s %l %p\n' | sort | sha256sum | cut -c1-16)"
echo "find -newer: $(touch -d @1000000000 c/a/file && find c -newer c/a/file -name file | wc -l)"
step "rm -rf" rm -rf c x t t.tar repo
echo "left: $(ls -A | wc -l)"
