/* gen BYTES: writes a deterministic pseudo-random stream (xorshift64*) of BYTES bytes to stdout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  unsigned long long left = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
  static uint64_t buf[1 << 17];
  uint64_t x = 0x9E3779B97F4A7C15ull;
  while (left > 0) {
    for (size_t i = 0; i < sizeof buf / 8; i++) {
      x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
      buf[i] = x * 0x2545F4914F6CDD1Dull;
    }
    size_t n = left < sizeof buf ? (size_t) left : sizeof buf;
    for (size_t off = 0; off < n;) {
      ssize_t w = write(1, (char *) buf + off, n - off);
      if (w <= 0) return 1;
      off += (size_t) w;
    }
    left -= n;
  }
  return 0;
}
