/* renameat2(2) through the raw syscall: RENAME_NOREPLACE and RENAME_EXCHANGE, and their errors.
 * expect: NOREPLACE onto existing file: EEXIST
 * expect: EXCHANGE file with file: OK
 * expect: EXCHANGE with missing target: ENOENT
 * expect: NOREPLACE|EXCHANGE together: EINVAL
 * expect: EXCHANGE dir with its own child: EINVAL
 */
#include "fsx.h"
#include <linux/fs.h>
#include <sys/syscall.h>

static long rename2(const char *from, const char *to, unsigned flags) {
  return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

int main(void) {
  umask(022);
  write_file("a", "alpha");
  write_file("b", "beta");
  mkdir("d", 0755);
  write_file("d/inside", "in d");
  mkdir("e", 0755);
  mkdir("e/sub", 0755);
  symlink("a", "link");

  DO("NOREPLACE onto existing file", rename2("a", "b", RENAME_NOREPLACE));
  show("a"); show("b");
  DO("NOREPLACE onto existing dir", rename2("d", "e", RENAME_NOREPLACE));
  DO("NOREPLACE onto new name", rename2("a", "a2", RENAME_NOREPLACE));
  show("a"); show("a2");
  DO("NOREPLACE missing source", rename2("missing", "x", RENAME_NOREPLACE));
  DO("NOREPLACE onto dangling symlink", (symlink("nowhere", "dangling"), rename2("a2", "dangling", RENAME_NOREPLACE)));
  DO("NOREPLACE dir to new name", rename2("e", "e2", RENAME_NOREPLACE));
  show("e"); show("e2"); show("e2/sub");

  DO("EXCHANGE file with file", rename2("a2", "b", RENAME_EXCHANGE));
  show("a2"); show("b");
  DO("EXCHANGE file with dir", rename2("b", "d", RENAME_EXCHANGE));
  show("b"); show("d"); show("b/inside");
  DO("EXCHANGE dir with dir", rename2("b", "e2", RENAME_EXCHANGE));
  show("b"); show("e2"); show("b/sub"); show("e2/inside");
  DO("EXCHANGE across directories", rename2("a2", "e2/inside", RENAME_EXCHANGE));
  show("a2"); show("e2/inside");
  DO("EXCHANGE with symlink", rename2("a2", "link", RENAME_EXCHANGE));
  show("a2"); show("link");
  DO("EXCHANGE with missing target", rename2("link", "missing", RENAME_EXCHANGE));
  DO("EXCHANGE with missing source", rename2("missing", "link", RENAME_EXCHANGE));
  DO("EXCHANGE with itself", rename2("link", "link", RENAME_EXCHANGE));
  show("link");
  DO("EXCHANGE dir with its own child", rename2("b", "b/sub", RENAME_EXCHANGE));
  DO("EXCHANGE child with its parent", rename2("b/sub", "b", RENAME_EXCHANGE));
  DO("NOREPLACE|EXCHANGE together", rename2("a2", "link", RENAME_NOREPLACE | RENAME_EXCHANGE));
  DO("unknown flag bit", rename2("a2", "zz", 1u << 10));
  DO("flags 0 behaves like rename", rename2("a2", "plain", 0));
  show("a2"); show("plain");

  /* Hard links: exchanging two names of one inode changes nothing. */
  write_file("h1", "hard");
  link("h1", "h2");
  DO("EXCHANGE two links of one inode", rename2("h1", "h2", RENAME_EXCHANGE));
  show("h1"); show("h2");
  DO("NOREPLACE onto own hard link", rename2("h1", "h2", RENAME_NOREPLACE));
  show("h1"); show("h2");
  return 0;
}
