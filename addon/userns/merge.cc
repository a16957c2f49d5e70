// The copying ("vfs") storage driver: builds a root file system in an empty
// directory from overlayfs-format layer directories (bottom first), with the
// semantics a kernel overlay mount of the same layers would show.
//
// Every write in the destination is an *at() call relative to a directory fd
// that was itself opened with O_NOFOLLOW from its parent's fd, starting from
// the destination; the last component is never followed (O_EXCL|O_NOFOLLOW,
// AT_SYMLINK_NOFOLLOW, linkat(.., 0)), and hard links are resolved with
// openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS). A symlink in a lower layer
// therefore cannot redirect a write of a later layer. The layers are read the
// same way (O_NOFOLLOW), never following their symlinks either.
#include "userns/merge.h"
#include "userns/common.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

struct Dir {
  DIR* d = nullptr;
  explicit Dir(DIR* p) : d(p) {}
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  ~Dir() {
    if (d) closedir(d);
  }
};

bool is_dot(const char* n) {
  return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

struct Xattr {
  std::string name;
  std::string value;
};

// overlayfs' own attributes (opaque, redirect, origin, ...) describe the layer,
// not the file: never copied.
bool is_overlay_xattr(const char* n) {
  return !strncmp(n, "user.overlay.", 13) || !strncmp(n, "trusted.overlay.", 16);
}

struct DevIno {
  dev_t dev;
  ino_t ino;
  bool operator==(const DevIno& o) const { return dev == o.dev && ino == o.ino; }
};
struct DevInoHash {
  size_t operator()(const DevIno& k) const {
    return std::hash<unsigned long long>()((unsigned long long)k.ino * 1000003ULL ^ (unsigned long long)k.dev);
  }
};

class Merger {
 public:
  explicit Merger(int root) : root_(root) {}
  void layer(const std::string& path);
  // A directory (an fd of it) copied over the destination as one layer;
  // `shown` names it in messages.
  void layer_dir(int fd, const std::string& shown);
  MergeResult result() const { return res_; }

 private:
  int root_;
  std::string layer_;
  MergeResult res_;
  std::unordered_map<DevIno, std::string, DevInoHash> links_;  // within one layer
  bool try_clone_ = true, try_cfr_ = true;
  uid_t euid_ = geteuid();
  gid_t new_gid_ = getegid();  // group of what we create in the directory being filled
  std::vector<char> buf_, list_;
  std::vector<Xattr> xattrs_;

  std::string shown(const std::string& rel) const { return rel.empty() ? layer_ : layer_ + "/" + rel; }
  void contents(int src, int dst, const std::string& rel);
  void entry(int src, int dst, const char* name, const std::string& rel);
  void directory(int src, int dst, const char* name, const std::string& rel, const struct stat& st);
  void finish_dir(int sfd, int dfd, const std::string& rel, const struct stat& st, bool existed);
  bool regular(int src, int dst, const char* name, const std::string& rel, const struct stat& st);
  bool symlink(int src, int dst, const char* name, const std::string& rel, const struct stat& st);
  bool node(int src, int dst, const char* name, const std::string& rel, const struct stat& st);
  bool link_to(const std::string& first, int dst, const char* name, const std::string& rel);
  void copy_data(int in, int out, const struct stat& st, const std::string& rel);
  void copy_range(int in, int out, off_t off, off_t len, const std::string& rel);
  bool read_xattrs(int fd, const std::string& lpath, const std::string& rel);
  void write_xattrs(int fd, const std::string& lpath, const std::string& rel);
  void drop_stale_xattrs(int fd, const std::string& rel);
  void chown_at(int fd, const char* name, int flags, const struct stat& st, const std::string& rel);
  [[noreturn]] void chown_failed(const struct stat& st, int err, const std::string& rel);
};

std::string proc_path(int dirfd, const char* name) {
  return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

// For entries we just created: their owner is ours (group: new_gid_).
void Merger::chown_at(int fd, const char* name, int flags, const struct stat& st,
                      const std::string& rel) {
  if (st.st_uid == euid_ && st.st_gid == new_gid_) return;
  if (fchownat(fd, name, st.st_uid, st.st_gid, flags) < 0) chown_failed(st, errno, rel);
}


void Merger::chown_failed(const struct stat& st, int err, const std::string& rel) {
  std::string why = "chown to " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + ": " +
                    strerror(err);
  if (err == EINVAL || err == EPERM) why += " (id not mapped in the user namespace?)";
  fail_errno(shown(rel), "chown", err, why);
}

// Reads the xattrs of a source entry (fd, or lpath for symlinks and nodes)
// into xattrs_, leaving out overlayfs' own. Returns whether the entry is an
// opaque directory marker (user./trusted.overlay.opaque = "y").
bool Merger::read_xattrs(int fd, const std::string& lpath, const std::string& rel) {
  xattrs_.clear();
  bool opaque = false;
  if (list_.size() < 4096) list_.resize(4096);
  ssize_t n;
  for (;;) {
    n = fd >= 0 ? flistxattr(fd, list_.data(), list_.size())
                : llistxattr(lpath.c_str(), list_.data(), list_.size());
    if (n >= 0) break;
    if (errno == ERANGE) {
      ssize_t want = fd >= 0 ? flistxattr(fd, nullptr, 0) : llistxattr(lpath.c_str(), nullptr, 0);
      list_.resize(want > 0 ? (size_t)want * 2 : list_.size() * 2);
      continue;
    }
    if (errno == ENOTSUP || errno == EPERM || errno == EACCES) return false;
    fail_errno(shown(rel), "list xattrs", errno);
  }
  for (ssize_t i = 0; i < n;) {
    const char* name = list_.data() + i;
    size_t len = strlen(name);
    i += (ssize_t)len + 1;
    if (!len) continue;
    bool overlay = is_overlay_xattr(name);
    bool opq = overlay && (!strcmp(name, "user.overlay.opaque") || !strcmp(name, "trusted.overlay.opaque"));
    if (overlay && !opq) continue;
    std::string value;
    for (size_t cap = 256;;) {
      value.resize(cap);
      ssize_t v = fd >= 0 ? fgetxattr(fd, name, &value[0], cap)
                          : lgetxattr(lpath.c_str(), name, &value[0], cap);
      if (v >= 0) {
        value.resize((size_t)v);
        break;
      }
      if (errno == ERANGE && cap < (1u << 24)) {
        cap *= 4;
        continue;
      }
      if (errno == ENODATA || errno == ENOTSUP || errno == EPERM || errno == EACCES) {
        value.clear();
        name = nullptr;
        break;
      }
      fail_errno(shown(rel), std::string("get xattr ") + name, errno);
    }
    if (!name) continue;
    if (opq) {
      if (value == "y") opaque = true;
      continue;
    }
    xattrs_.push_back(Xattr{name, std::move(value)});
  }
  return opaque;
}

void Merger::write_xattrs(int fd, const std::string& lpath, const std::string& rel) {
  for (const Xattr& x : xattrs_) {
    int r = fd >= 0 ? fsetxattr(fd, x.name.c_str(), x.value.data(), x.value.size(), 0)
                    : lsetxattr(lpath.c_str(), x.name.c_str(), x.value.data(), x.value.size(), 0);
    if (r == 0 || errno == ENOTSUP || errno == EPERM) continue;
    fail_errno(shown(rel), "set xattr " + x.name, errno);
  }
}

// A directory merged into an existing one shows only the upper xattrs.
void Merger::drop_stale_xattrs(int fd, const std::string& rel) {
  char small[1024];
  ssize_t n = flistxattr(fd, small, sizeof small);
  std::vector<char> big;
  const char* list = small;
  if (n < 0 && errno == ERANGE) {
    ssize_t want = flistxattr(fd, nullptr, 0);
    if (want <= 0) return;
    big.resize((size_t)want);
    n = flistxattr(fd, big.data(), big.size());
    list = big.data();
  }
  for (ssize_t i = 0; i < n;) {
    const char* name = list + i;
    i += (ssize_t)strlen(name) + 1;
    if (!*name) continue;
    bool keep = false;
    for (const Xattr& x : xattrs_)
      if (x.name == name) keep = true;
    if (!keep) fremovexattr(fd, name);  // errors: keep what we cannot remove
  }
}

void Merger::copy_range(int in, int out, off_t off, off_t len, const std::string& rel) {
  off_t end = off + len;
  if (try_cfr_) {
    loff_t ioff = off, ooff = off;
    while (ioff < end) {
      ssize_t r = copy_file_range(in, &ioff, out, &ooff, (size_t)(end - ioff), 0);
      if (r > 0) continue;
      if (r == 0) return;  // source shorter than its stat said
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS ||
          errno == EBADF || errno == EPERM) {
        try_cfr_ = false;
        break;
      }
      fail_errno(shown(rel), "copy_file_range", errno);
    }
    if (ioff >= end) return;
    off = ioff;
  }
  if (buf_.empty()) buf_.resize(1 << 20);
  while (off < end) {
    size_t want = (size_t)std::min<off_t>(end - off, (off_t)buf_.size());
    ssize_t r = pread(in, buf_.data(), want, off);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail_errno(shown(rel), "read", errno);
    }
    if (r == 0) return;
    const char* p = buf_.data();
    for (ssize_t left = r; left > 0;) {
      ssize_t w = pwrite(out, p, (size_t)left, off);
      if (w < 0) {
        if (errno == EINTR) continue;
        fail_errno(shown(rel), "write", errno);
      }
      p += w;
      off += w;
      left -= w;
    }
  }
}

void Merger::copy_data(int in, int out, const struct stat& st, const std::string& rel) {
  if (st.st_size == 0) return;
  if (try_clone_) {
    if (ioctl(out, FICLONE, in) == 0) return;
    if (errno == EXDEV || errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL ||
        errno == ENOSYS || errno == EBADF || errno == EPERM)
      try_clone_ = false;  // not on this file system: stop trying for this layer
  }
  // Holes: only look for them when the file has fewer blocks than its size.
  bool sparse = (off_t)st.st_blocks * 512 < st.st_size;
  off_t pos = 0;
  while (pos < st.st_size) {
    off_t data = pos, end = st.st_size;
    if (sparse) {
      data = lseek(in, pos, SEEK_DATA);
      if (data < 0) {
        if (errno == ENXIO) break;  // only a hole left
        sparse = false;
        data = pos;
      } else {
        end = lseek(in, data, SEEK_HOLE);
        if (end < 0 || end > st.st_size) end = st.st_size;
      }
    }
    if (end > data) copy_range(in, out, data, end - data, rel);
    pos = end;
  }
  if (sparse && ftruncate(out, st.st_size) < 0) fail_errno(shown(rel), "truncate", errno);
}

// Creates dst/name as a hard link of `first` (a path this layer already wrote).
bool Merger::link_to(const std::string& first, int dst, const char* name, const std::string& rel) {
  size_t slash = first.rfind('/');
  Fd parent;
  int pfd = root_;
  std::string base = first;
  if (slash != std::string::npos) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    std::string dir = first.substr(0, slash);
    long r;
    while ((r = syscall(SYS_openat2, root_, dir.c_str(), &how, sizeof how)) < 0 &&
           (errno == EAGAIN || errno == EINTR)) {}
    if (r < 0) return false;
    parent.reset((int)r);
    pfd = parent.fd;
    base = first.substr(slash + 1);
  }
  if (linkat(pfd, base.c_str(), dst, name, 0) == 0) return true;
  if (errno != EEXIST) return false;  // e.g. EMLINK: copy instead
  remove_at(dst, name, shown(rel));
  return linkat(pfd, base.c_str(), dst, name, 0) == 0;
}

bool Merger::regular(int src, int dst, const char* name, const std::string& rel, const struct stat& st) {
  Fd in(openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (in.fd < 0) fail_errno(shown(rel), "open", errno);
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  Fd out(openat(dst, name, flags, 0600));
  if (out.fd < 0 && errno == EEXIST) {
    remove_at(dst, name, shown(rel));
    out.reset(openat(dst, name, flags, 0600));
  }
  if (out.fd < 0) fail_errno(shown(rel), "create file", errno);
  copy_data(in.fd, out.fd, st, rel);
  res_.bytes += (unsigned long long)st.st_size;
  chown_at(out.fd, "", AT_EMPTY_PATH, st, rel);
  if (fchmod(out.fd, st.st_mode & 07777) < 0) fail_errno(shown(rel), "chmod", errno);
  read_xattrs(in.fd, "", rel);
  write_xattrs(out.fd, "", rel);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (futimens(out.fd, ts) < 0) fail_errno(shown(rel), "set times", errno);
  return true;
}

bool Merger::symlink(int src, int dst, const char* name, const std::string& rel, const struct stat& st) {
  std::string target = read_link(src, name, st, shown(rel));
  if (symlinkat(target.c_str(), dst, name) < 0) {
    if (errno != EEXIST) fail_errno(shown(rel), "symlink", errno);
    remove_at(dst, name, shown(rel));
    if (symlinkat(target.c_str(), dst, name) < 0) fail_errno(shown(rel), "symlink", errno);
  }
  chown_at(dst, name, AT_SYMLINK_NOFOLLOW, st, rel);
  if (read_xattrs(-1, proc_path(src, name), rel), !xattrs_.empty())
    write_xattrs(-1, proc_path(dst, name), rel);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(shown(rel), "set times", errno);
  return true;
}

bool Merger::node(int src, int dst, const char* name, const std::string& rel, const struct stat& st) {
  mode_t type = st.st_mode & S_IFMT;
  dev_t dev = (type == S_IFCHR || type == S_IFBLK) ? st.st_rdev : 0;
  if (mknodat(dst, name, type | 0600, dev) < 0) {
    int err = errno;
    if (err == EEXIST) {
      remove_at(dst, name, shown(rel));
      err = mknodat(dst, name, type | 0600, dev) < 0 ? errno : 0;
    }
    if (err == EPERM && (type == S_IFCHR || type == S_IFBLK)) {
      warn(shown(rel), "mknod", err, "cannot create a device node here (user namespace?), skipped");
      return false;
    }
    if (err) fail_errno(shown(rel), "mknod", err);
  }
  chown_at(dst, name, AT_SYMLINK_NOFOLLOW, st, rel);
  // Just created by us as a node, not a symlink: nothing to follow.
  if (fchmodat(dst, name, st.st_mode & 07777, 0) < 0) fail_errno(shown(rel), "chmod", errno);
  if (read_xattrs(-1, proc_path(src, name), rel), !xattrs_.empty())
    write_xattrs(-1, proc_path(dst, name), rel);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(shown(rel), "set times", errno);
  return true;
}

// Owner and xattrs before the contents, mode and times after them (a
// read-only directory can still be filled; creating entries changes mtime).
void Merger::directory(int src, int dst, const char* name, const std::string& rel,
                       const struct stat& st) {
  Fd sfd(openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (sfd.fd < 0) fail_errno(shown(rel), "open directory", errno);
  bool opaque = read_xattrs(sfd.fd, "", rel);
  bool existed = false;
  if (mkdirat(dst, name, 0700) < 0) {
    if (errno != EEXIST) fail_errno(shown(rel), "mkdir", errno);
    struct stat dst_st;
    if (fstatat(dst, name, &dst_st, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(shown(rel), "stat", errno);
    if (S_ISDIR(dst_st.st_mode)) {
      existed = true;
    } else {
      remove_at(dst, name, shown(rel));
      if (mkdirat(dst, name, 0700) < 0) fail_errno(shown(rel), "mkdir", errno);
    }
  }
  Fd dfd(openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dfd.fd < 0) fail_errno(shown(rel), "open directory in destination", errno);
  if (existed && opaque) {
    // Opaque: the lower directory's content disappears.
    std::vector<std::string> names;
    {
      int lfd = openat(dfd.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lfd < 0) fail_errno(shown(rel), "open directory in destination", errno);
      Dir d(fdopendir(lfd));
      if (!d.d) {
        int e = errno;
        close(lfd);
        fail_errno(shown(rel), "fdopendir", e);
      }
      while (struct dirent* de = readdir(d.d))
        if (!is_dot(de->d_name)) names.emplace_back(de->d_name);
    }
    for (const std::string& n : names) remove_at(dfd.fd, n.c_str(), shown(rel) + " (opaque)");
  }
  finish_dir(sfd.fd, dfd.fd, rel, st, existed);
}

void Merger::finish_dir(int sfd, int dfd, const std::string& rel, const struct stat& st, bool existed) {
  // xattrs_ holds this directory's (read by the caller); it is reused below.
  struct stat cur;
  if (fstat(dfd, &cur) < 0) fail_errno(shown(rel), "stat", errno);
  if (cur.st_uid != st.st_uid || cur.st_gid != st.st_gid) {
    if (fchown(dfd, st.st_uid, st.st_gid) < 0) chown_failed(st, errno, rel);
  }
  if (existed) drop_stale_xattrs(dfd, rel);
  write_xattrs(dfd, "", rel);
  // Make sure we can fill it whatever its current mode (no-op as root).
  if ((cur.st_mode & 0700) != 0700) fchmod(dfd, (cur.st_mode & 07777) | 0700);
  // New entries get our uid and, in a setgid directory, its group.
  gid_t saved_gid = new_gid_;
  new_gid_ = (cur.st_mode & S_ISGID) ? st.st_gid : getegid();
  contents(sfd, dfd, rel);
  new_gid_ = saved_gid;
  if (fchmod(dfd, st.st_mode & 07777) < 0) fail_errno(shown(rel), "chmod", errno);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (futimens(dfd, ts) < 0) fail_errno(shown(rel), "set times", errno);
}

void Merger::contents(int src, int dst, const std::string& rel) {
  int lfd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lfd < 0) fail_errno(shown(rel), "open directory", errno);
  Dir d(fdopendir(lfd));
  if (!d.d) {
    int e = errno;
    close(lfd);
    fail_errno(shown(rel), "fdopendir", e);
  }
  for (;;) {
    errno = 0;
    struct dirent* de = readdir(d.d);
    if (!de) {
      if (errno) fail_errno(shown(rel), "readdir", errno);
      break;
    }
    if (is_dot(de->d_name)) continue;
    entry(src, dst, de->d_name, rel.empty() ? std::string(de->d_name) : rel + "/" + de->d_name);
  }
}

void Merger::entry(int src, int dst, const char* name, const std::string& rel) {
  struct stat st;
  if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(shown(rel), "stat", errno);
  res_.entries++;
  if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {  // whiteout
    remove_at(dst, name, shown(rel));
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    directory(src, dst, name, rel, st);
    return;
  }
  DevIno key{st.st_dev, st.st_ino};
  if (st.st_nlink > 1) {
    auto it = links_.find(key);
    if (it != links_.end() && link_to(it->second, dst, name, rel)) return;
  }
  bool made;
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: made = regular(src, dst, name, rel, st); break;
    case S_IFLNK: made = symlink(src, dst, name, rel, st); break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK: made = node(src, dst, name, rel, st); break;
    default: fail(shown(rel), "unsupported file type");
  }
  if (made && st.st_nlink > 1) links_.emplace(key, rel);
}

void Merger::layer(const std::string& path) {
  Fd src(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (src.fd < 0) fail_errno(path, "open layer", errno);
  layer_dir(src.fd, path);
}

void Merger::layer_dir(int fd, const std::string& shown) {
  layer_ = shown;
  links_.clear();
  try_clone_ = try_cfr_ = true;
  struct stat st;
  if (fstat(fd, &st) < 0) fail_errno(shown, "stat", errno);
  // The layer's root: its metadata goes to the destination itself (the top
  // layer's wins, as in an overlay mount); an opaque marker here means nothing.
  read_xattrs(fd, "", "");
  finish_dir(fd, root_, "", st, true);
}

// Whether the directory `fd` (named `dest` in errors) holds nothing.
bool is_empty_dir(int fd, const char* dest) {
  int lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lfd < 0) fail_errno(dest, "open destination", errno);
  Dir d(fdopendir(lfd));
  if (!d.d) {
    int e = errno;
    close(lfd);
    fail_errno(dest, "fdopendir", e);
  }
  while (struct dirent* de = readdir(d.d))
    if (!is_dot(de->d_name)) return false;
  return true;
}

}  // namespace

static bool xattr_is_y(int fd, const char* name) {
  char v[2];
  return fgetxattr(fd, name, v, sizeof v) == 1 && v[0] == 'y';
}

bool overlay_opaque(int fd) {
  if (xattr_is_y(fd, "user.overlay.opaque") || xattr_is_y(fd, "trusted.overlay.opaque") ||
      xattr_is_y(fd, "user.fuseoverlayfs.opaque"))
    return true;
  struct stat st;
  return fstatat(fd, ".wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

OverlayEntry overlay_lookup(const std::vector<Fd>& dirs, const std::string& name, const std::string& shown) {
  OverlayEntry f;
  for (const Fd& d : dirs) {
    struct stat st;
    if (fstatat(d.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;
      fail_errno(shown, "stat", errno);
    }
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) break;  // whiteout
    if (S_ISDIR(st.st_mode)) {
      Fd fd(openat(d.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (fd.fd < 0) fail_errno(shown, "open directory", errno);
      bool opaque = overlay_opaque(fd.fd);
      if (f.kind == OverlayEntry::kMissing) f.st = st;
      f.kind = OverlayEntry::kDir;
      f.dirs.push_back(std::move(fd));
      if (opaque) break;
      continue;
    }
    if (f.kind == OverlayEntry::kDir) break;  // a directory above hides it
    f.st = st;
    f.kind = S_ISLNK(st.st_mode) ? OverlayEntry::kSymlink : OverlayEntry::kOther;
    if (S_ISLNK(st.st_mode)) f.target = read_link(d.fd, name.c_str(), st, shown);
    break;
  }
  return f;
}

MergeResult copy_up(const char* dest, const std::string& path, const std::vector<std::string>& layers) {
  umask(0);
  Fd root(open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.fd < 0) fail_errno(dest, "open destination", errno);
  if (!is_empty_dir(root.fd, dest)) return MergeResult{};  // not empty: nothing is copied
  // levels[i]: the layers' directories making up the i-th resolved component
  // (levels[0]: the layer roots), top first.
  std::vector<std::vector<Fd>> levels(1);
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    Fd fd(open(it->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.fd < 0) fail_errno(*it, "open layer", errno);
    levels[0].push_back(std::move(fd));
  }
  // Components still to walk, the next one last. Symlinks are resolved as the
  // runtime resolves the mount point (RESOLVE_IN_ROOT): inside the image,
  // an absolute target starting again from its root, ".." never above it.
  std::vector<std::string> todo;
  auto push_path = [&todo](const std::string& p) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= p.size()) {
      size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      if (j > i) parts.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
  };
  push_path(path);
  std::string shown = path;
  int hops = 0;
  while (!todo.empty()) {
    std::string c = todo.back();
    todo.pop_back();
    if (c == ".") continue;
    if (c == "..") {
      if (levels.size() > 1) levels.pop_back();
      continue;
    }
    OverlayEntry f = overlay_lookup(levels.back(), c, shown);
    if (f.kind == OverlayEntry::kMissing || f.kind == OverlayEntry::kOther) return MergeResult{};
    if (f.kind == OverlayEntry::kSymlink) {
      if (++hops > 40) fail_errno(shown, "resolve", ELOOP);
      if (!f.target.empty() && f.target[0] == '/') levels.resize(1);
      push_path(f.target);
      continue;
    }
    levels.push_back(std::move(f.dirs));
  }
  if (levels.size() == 1) return MergeResult{};  // the image's root: not a volume's
  Merger m(root.fd);
  const std::vector<Fd>& dirs = levels.back();
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) m.layer_dir(it->fd, std::string("(image)") + path);
  return m.result();
}

MergeResult merge_layers(const char* dest, const std::vector<std::string>& layers) {
  umask(0);
  Fd root(open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.fd < 0) fail_errno(dest, "open destination", errno);
  if (!is_empty_dir(root.fd, dest)) fail(dest, "destination is not empty");
  Merger m(root.fd);
  for (const std::string& l : layers) m.layer(l);
  return m.result();
}
