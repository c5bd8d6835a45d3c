/* Helpers for C scenarios: every check prints one normalized transcript line, like fsx.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prints "label: OK" when expr is >= 0, else "label: ERRNO". */
#define DO(label, expr) do { \
    errno = 0; \
    long _r = (long) (expr); \
    if (_r < 0) printf("%s: %s\n", (label), strerrorname_np(errno)); \
    else printf("%s: OK\n", (label)); \
    fflush(stdout); \
  } while (0)

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text) || close(fd) != 0) {
    perror(path);
    exit(2);
  }
}

/* Prints what a path is: its type and content for files, its sorted entries count for dirs. */
static void show(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    printf("  %s: %s\n", path, strerrorname_np(errno));
    return;
  }
  if (S_ISREG(st.st_mode)) {
    char buf[256] = {0};
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("  %s: file nlink=%lu content=\"%.*s\"\n", path, (unsigned long) st.st_nlink, (int) (n < 0 ? 0 : n), buf);
  } else if (S_ISDIR(st.st_mode)) {
    printf("  %s: dir nlink=%lu\n", path, (unsigned long) st.st_nlink);
  } else if (S_ISLNK(st.st_mode)) {
    char buf[256] = {0};
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    printf("  %s: symlink -> %.*s\n", path, (int) (n < 0 ? 0 : n), buf);
  } else {
    printf("  %s: other\n", path);
  }
  fflush(stdout);
}
