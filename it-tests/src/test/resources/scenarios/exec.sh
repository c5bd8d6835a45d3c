#!/bin/sh
# Executing from the directory: a copied system binary, a freshly compiled program, a script with a
# shebang, and the errors for non-executable files and directories. CC names the C compiler.
# expect: run copied true: OK
# expect: run compiled hello: OK hello from hello argc=3
# expect: run file without x bit: exit=126
# expect: open running binary for write: ETXTBSY
set -u
try() { # try LABEL CMD...: prints LABEL: OK [stdout] or LABEL: exit=N
  label=$1; shift
  out=$("$@" 2>/dev/null); rc=$?
  if [ $rc -eq 0 ]; then echo "$label: OK${out:+ $out}"; else echo "$label: exit=$rc"; fi
}
cp /bin/true ./true && chmod 755 ./true
try "run copied true" ./true
cp /bin/false ./false
try "run copied false" ./false
cat > hello.c <<'C'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "wait") == 0) {
    puts("ready"); fflush(stdout);
    char buf[8]; return fread(buf, 1, 1, stdin) == 1 ? 0 : 0;
  }
  const char *base = strrchr(argv[0], '/');
  printf("hello from %s argc=%d\n", base ? base + 1 : argv[0], argc);
  return 0;
}
C
try "compile hello in place" "$CC" -O1 -o hello hello.c
try "run compiled hello" ./hello a b
try "run via absolute path" "$PWD/hello" x y
try "run via /bin/sh -c" /bin/sh -c './hello 1 2'
printf '#!/bin/sh\necho "script says $1"\n' > script.sh
chmod 755 script.sh
try "run shebang script" ./script.sh hi
chmod 644 script.sh
try "run file without x bit" ./script.sh
try "run directory" "$PWD"
mkdir sub
try "run missing" ./missing
cp ./hello sub/hello2
chmod 700 sub/hello2
try "run copy in subdirectory" sub/hello2 z
try "run through symlink" sh -c 'ln -s hello hl && ./hl q'
# A binary that is being executed cannot be opened for writing.
mkfifo in
./hello wait < in > ready.out &
pid=$!
exec 3>in
i=0; while [ ! -s ready.out ] && [ $i -lt 3000 ]; do i=$((i+1)); sleep 0.01; done
echo "child ready: $(cat ready.out)"
python3 -c '
import os, errno
try:
    os.open("hello", os.O_WRONLY); print("open running binary for write: OK")
except OSError as e:
    print("open running binary for write:", errno.errorcode[e.errno])'
printf x >&3
exec 3>&-
wait $pid; echo "child exit: $?"
try "open for write after exit" sh -c 'echo >> hello'
cmp -s hello sub/hello2; echo "copies differ after append: $?"
