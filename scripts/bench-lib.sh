#!/usr/bin/env bash
# Shared helpers for the txfs benchmark scripts: timing, mount/unmount with a bounded wait, the
# metadata micro-benchmark (a small C program compiled on first use), sequential I/O, and writing a
# results section into a markdown file. Source it; it defines functions only.

bench_log() { echo "bench: $*" >&2; }
bench_die() { echo "bench: error: $*" >&2; exit 1; }

# bench_start WHY ARGS...: the common start of a benchmark run as root on FUSE; sets write_doc to 0
# when ARGS is --no-write (print the table only). WHY: what root is needed for.
bench_start() {
  local why=$1
  shift
  write_doc=1
  [ "${1:-}" = "--no-write" ] && write_doc=0
  bench_require_root "$why"
}

bench_now_ns() { date +%s%N; }

# bench_require_root WHY: dies unless run as root with /dev/fuse present (WHY: what needs root).
bench_require_root() {
  [ "$(id -u)" -eq 0 ] || bench_die "run as root: $1 need it"
  [ -e /dev/fuse ] || bench_die "/dev/fuse does not exist"
}

# bench_use_txfs REPO: the txfs CLI the benchmark runs, $TXFS_JAR or REPO's fs-tools/target/txfs.jar with
# $JAVA (default java); sets jar and java and defines txfs().
bench_use_txfs() {
  jar=${TXFS_JAR:-$1/fs-tools/target/txfs.jar}
  [ -f "$jar" ] || bench_die "$jar not found (build it: mvn -B -DskipTests package -pl fs-tools -am)"
  java=${JAVA:-java}
  txfs() { "$java" -jar "$jar" "$@"; }
}

# bench_is_mounted DIR: true if DIR is a mount point in this mount namespace.
bench_is_mounted() {
  local dir
  dir=$(realpath -m "$1")
  awk -v d="$dir" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# bench_await_mount DIR [SECONDS]: waits until DIR is a mount that answers a stat.
bench_await_mount() {
  local dir=$1 deadline=$((SECONDS + ${2:-60}))
  while [ $SECONDS -lt $deadline ]; do
    if bench_is_mounted "$dir" && timeout 5 stat "$dir" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  bench_die "$dir did not come up as a mount within ${2:-60} s"
}

# bench_unmount DIR: unmounts (fusermount3, fusermount, then umount) and checks nothing is left.
bench_unmount() {
  local dir=$1
  bench_is_mounted "$dir" || return 0
  fusermount3 -u "$dir" 2>/dev/null || fusermount -u "$dir" 2>/dev/null || umount "$dir" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while bench_is_mounted "$dir" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if bench_is_mounted "$dir"; then
    umount -l "$dir" || true
    bench_die "could not unmount $dir cleanly (lazily detached)"
  fi
}

# bench_drop_caches: writes back and drops the page, dentry and inode caches (root only).
bench_drop_caches() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then
    echo 3 > /proc/sys/vm/drop_caches
  else
    bench_log "cannot drop caches (not root): read numbers include cached data"
  fi
}

# bench_build_meta OUTDIR: compiles the metadata benchmark into OUTDIR/bench-meta.
bench_build_meta() {
  local out=$1
  cat > "$out/bench-meta.c" <<'C'
/* bench-meta DIR N: creates, stats, reads and unlinks N files of 1 KiB in DIR, one phase at a time,
 * and prints the mean latency of each phase in microseconds per file: "create stat read unlink". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what, const char *path) {
  perror(path);
  fprintf(stderr, "bench-meta: %s failed\n", what);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: bench-meta DIR N\n"); return 2; }
  const char *dir = argv[1];
  int n = atoi(argv[2]);
  char path[4096], buf[1024];
  for (int i = 0; i < (int) sizeof buf; i++) buf[i] = (char) i;
  double t0 = now_us();
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", dir, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die("create", path);
    if (write(fd, buf, sizeof buf) != (ssize_t) sizeof buf) die("write", path);
    if (close(fd) != 0) die("close", path);
  }
  double t1 = now_us();
  struct stat st;
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", dir, i);
    if (stat(path, &st) != 0 || st.st_size != (off_t) sizeof buf) die("stat", path);
  }
  double t2 = now_us();
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", dir, i);
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("open", path);
    if (read(fd, buf, sizeof buf) != (ssize_t) sizeof buf) die("read", path);
    close(fd);
  }
  double t3 = now_us();
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/f%06d", dir, i);
    if (unlink(path) != 0) die("unlink", path);
  }
  double t4 = now_us();
  printf("%.1f %.1f %.1f %.1f\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n, (t4 - t3) / n);
  return 0;
}
C
  gcc -O2 -Wall -o "$out/bench-meta" "$out/bench-meta.c" || bench_die "cannot compile bench-meta"
}

# bench_seq_write FILE MIB: writes MIB MiB of zeros and fsyncs; prints MiB/s.
bench_seq_write() {
  local file=$1 mib=$2 t0 t1
  rm -f "$file"
  bench_drop_caches
  t0=$(bench_now_ns)
  dd if=/dev/zero of="$file" bs=1M count="$mib" conv=fsync status=none || bench_die "write to $file failed"
  t1=$(bench_now_ns)
  awk -v m="$mib" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f\n", m / (ns / 1e9) }'
}

# bench_seq_read FILE MIB: reads the file from a cold page cache; prints MiB/s.
bench_seq_read() {
  local file=$1 mib=$2 t0 t1
  bench_drop_caches
  t0=$(bench_now_ns)
  dd if="$file" of=/dev/null bs=1M status=none || bench_die "read of $file failed"
  t1=$(bench_now_ns)
  awk -v m="$mib" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f\n", m / (ns / 1e9) }'
}

# bench_median V...: the median of numbers.
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_machine_line: one line naming the CPU, cores, memory, kernel.
bench_machine_line() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "${cpu:-unknown CPU}, $(nproc) cores, $mem RAM, Linux $(uname -r)"
}

# bench_write_section FILE TEXTFILE: replaces the text between the bench:results markers in FILE with the
# content of TEXTFILE (creating the markers at the end if they are missing).
bench_write_section() {
  bench_write_marked "$1" results "" "$2"
}

# bench_write_marked FILE NAME HEADING TEXTFILE: replaces the text between <!-- bench:NAME:begin --> and
# <!-- bench:NAME:end --> in FILE with the content of TEXTFILE (adding "## HEADING", unless empty, and the
# markers at the end if they are missing): one section per benchmark script.
bench_write_marked() {
  local file=$1 heading=$3 text=$4 begin="<!-- bench:$2:begin -->" end="<!-- bench:$2:end -->"
  [ -f "$file" ] || printf '# Benchmarks\n' > "$file"
  if ! grep -qF "$begin" "$file"; then
    [ -n "$heading" ] && printf '\n## %s\n' "$heading" >> "$file"
    printf '\n%s\n%s\n' "$begin" "$end" >> "$file"
  fi
  awk -v b="$begin" -v e="$end" -v t="$text" '
    $0 == b { print; while ((getline line < t) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$file" > "$file.tmp" && mv "$file.tmp" "$file"
}

# bench_make_project DIR SOURCES: a C project of SOURCES one-function files and a main, with a Makefile
# that compiles each with -O2 and links them (the build benchmarks' workload).
bench_make_project() {
  local dir=$1 sources=$2 i
  mkdir -p "$dir"
  for i in $(seq 1 "$sources"); do
    printf '#include <stdio.h>\nint f%d(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * %d; return s; }\n' "$i" "$i" > "$dir/f$i.c"
  done
  { printf 'int main(void) { int s = 0;\n'
    for i in $(seq 1 "$sources"); do printf 'extern int f%d(int); s += f%d(%d);\n' "$i" "$i" "$i"; done
    printf 'return s == 42; }\n'; } > "$dir/main.c"
  printf 'SRC := $(wildcard *.c)\nprog: $(SRC:.c=.o)\n\t$(CC) -o $@ $^\n%%.o: %%.c\n\t$(CC) -O2 -c -o $@ $<\n' > "$dir/Makefile"
}
