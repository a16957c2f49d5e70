#include "common/strio.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

namespace husk {

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // the reader is gone, or the disk is full: nothing sensible to do
    }
    p += w;
    n -= (size_t)w;
  }
}

void WriteStr(int fd, const char* s) {
  WriteAll(fd, s, strlen(s));
}

size_t FormatInt(char* buf, long long v) {
  char tmp[24];
  size_t n = 0;
  bool neg = v < 0;
  unsigned long long u = neg ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t o = 0;
  if (neg) buf[o++] = '-';
  while (n) buf[o++] = tmp[--n];
  buf[o] = 0;
  return o;
}


bool ParseInt(const char* s, int* out) {
  if (!s || !*s) return false;
  bool neg = false;
  if (*s == '-') {
    neg = true;
    s++;
  }
  if (!*s) return false;
  long long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + (*s - '0');
    if (v > 0x7fffffff) return false;
  }
  *out = (int)(neg ? -v : v);
  return true;
}

}  // namespace husk
