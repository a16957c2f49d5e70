// What untar and merge share: an owning fd, and the one way they report a
// failure (EntryError, naming the entry) or a warning.
#pragma once
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

// A failure that names the archive entry (or path) and the reason.
struct EntryError {
  std::string entry;
  std::string reason;
};

[[noreturn]] inline void fail(const std::string& entry, const std::string& reason) {
  throw EntryError{entry, reason};
}

inline std::string errstr(const char* step, int err) {
  return std::string(step) + ": " + strerror(err);
}

inline void warn(const std::string& entry, const std::string& reason) {
  fprintf(stderr, "husk-userns: warning: %s: %s\n", entry.c_str(), reason.c_str());
}

// A symlink's target (its size from `st`, grown if it changed meanwhile).
inline std::string read_link(int dirfd, const char* name, const struct stat& st, const std::string& shown) {
  std::string target((size_t)st.st_size + 1, '\0');
  for (;;) {
    ssize_t n = readlinkat(dirfd, name, &target[0], target.size());
    if (n < 0) fail(shown, errstr("readlink", errno));
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
