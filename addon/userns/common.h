// What the commands share: an owning fd, reading a symlink, and the one way
// they report a failure or a warning (errors.h).
#pragma once
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "userns/errors.h"

// A symlink's target (its size from `st`, grown if it changed meanwhile).
inline std::string read_link(int dirfd, const char* name, const struct stat& st, const std::string& shown) {
  std::string target((size_t)st.st_size + 1, '\0');
  for (;;) {
    ssize_t n = readlinkat(dirfd, name, &target[0], target.size());
    if (n < 0) fail_errno(shown, "readlink", errno);
    if ((size_t)n < target.size()) {
      target.resize((size_t)n);
      return target;
    }
    target.resize(target.size() * 2);
  }
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd = o.fd;
      o.fd = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset(int f = -1) {
    if (fd >= 0) close(fd);
    fd = f;
  }
};
