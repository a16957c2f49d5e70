// Layer extraction: libarchive parses the tar stream, every file system
// write is done here with *at() system calls relative to a directory fd of
// the destination, and every parent directory is resolved with openat2()
// RESOLVE_BENEATH, so no entry (name, symlink in a parent, hard link target)
// can make us write outside the destination.
#include "userns/untar.h"
#include "userns/archive_errors.h"
#include "userns/common.h"
#include "userns/layer_stream.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

namespace {

const uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

int openat2_resolve(int dirfd, const char* path, int flags, uint64_t resolve) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.resolve = resolve;
  for (;;) {
    long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (r >= 0) return (int)r;
    if (errno != EAGAIN && errno != EINTR) return -1;  // EAGAIN: concurrent rename, retry
  }
}

// Why a parent directory could not be resolved, in the words of the rules.
std::string resolve_reason(int err) {
  switch (err) {
    case EXDEV: return "path leaves the destination (through a symlink or an absolute symlink)";
    case ENOTDIR: return "a parent path component is not a directory";
    case ELOOP: return "too many levels of symbolic links in a parent path";
    default: return errstr("resolve parent", err);
  }
}

// Splits a tar name into components; rejects absolute names and "..".
// Empty and "." components are dropped ("./a//b/" -> {"a", "b"}).
void split_name(const std::string& entry, const char* raw, const char* what,
                std::vector<std::string>& out) {
  out.clear();
  if (!raw || !*raw) fail(entry, std::string(what) + " is empty");
  if (raw[0] == '/') fail(entry, std::string(what) + " is absolute");
  const char* p = raw;
  while (*p) {
    const char* s = p;
    while (*p && *p != '/') p++;
    size_t n = (size_t)(p - s);
    if (n == 2 && s[0] == '.' && s[1] == '.')
      fail(entry, std::string(what) + " contains a '..' component");
    if (n && !(n == 1 && s[0] == '.')) out.emplace_back(s, n);
    while (*p == '/') p++;
  }
}

std::string join(const std::vector<std::string>& c, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) {
    if (i) s += '/';
    s += c[i];
  }
  return s;
}

bool is_ignorable_xattr_error(const char* name, int err, bool regular_or_dir) {
  if (err != EPERM && err != ENOTSUP && err != EACCES) return false;
  if (!strncmp(name, "security.", 9) || !strncmp(name, "trusted.", 8)) return true;
  // user.* xattrs are not allowed on symlinks and device nodes.
  return !regular_or_dir && err == EPERM;
}

}  // namespace

// Recursively removes `name` in `dirfd` without following symlinks.
void remove_at(int dirfd, const char* name, const std::string& shown) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return;
    fail_errno(shown, "stat", errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) fail_errno(shown, "unlink", errno);
    return;
  }
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) {
    // Not readable: it is a directory (checked above, and O_NOFOLLOW below).
    if (fchmodat(dirfd, name, 0700, 0) == 0)
      fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    if (errno == ENOENT) return;
    fail_errno(shown, "open directory", errno);
  }
  if ((st.st_mode & 0700) != 0700) fchmod(fd, (st.st_mode & 07777) | 0700);
  DIR* d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    fail_errno(shown, "fdopendir", e);
  }
  for (int pass = 0;; pass++) {
    bool any = false;
    errno = 0;
    while (struct dirent* de = readdir(d)) {
      const char* n = de->d_name;
      if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]))) continue;
      any = true;
      std::string child = shown + "/" + n;
      if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
        try {
          remove_at(::dirfd(d), n, child);
        } catch (...) {
          closedir(d);
          throw;
        }
      } else if (unlinkat(::dirfd(d), n, 0) < 0 && errno != ENOENT) {
        int e = errno;
        if (e == EISDIR || e == EPERM) {
          try { remove_at(::dirfd(d), n, child); } catch (...) { closedir(d); throw; }
        } else {
          closedir(d);
          fail_errno(child, "unlink", e);
        }
      }
    }
    if (!any || pass >= 3) break;
    rewinddir(d);
  }
  closedir(d);
  if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    fail_errno(shown, "rmdir", errno);
}

namespace {

struct DirMeta {
  std::string path;  // normalized, relative to the destination ("" = itself)
  mode_t mode;
  struct timespec times[2];
};

class Extractor {
 public:
  Extractor(int root, const std::string& prefix, int base, uint64_t resolve, const UntarOptions& opts)
      : root_(root), base_(base), prefix_(prefix), resolve_(resolve), opts_(opts) {}

  void entry(struct archive* a, struct archive_entry* e, UntarResult& res);
  void finish();

 private:
  int root_;   // what paths are resolved from
  int base_;   // the destination directory (root_ itself for a layer)
  std::string prefix_;  // base_'s path relative to root_ ("" for a layer)
  uint64_t resolve_;
  UntarOptions opts_;
  std::string cached_path_;
  Fd cached_;
  bool cache_valid_ = false;
  std::vector<DirMeta> dirs_;
  std::vector<std::string> comps_, link_comps_;
  std::vector<char> buf_;

  // `path` (relative to the destination) opened from root_ with resolve_.
  int open_in(const std::string& path, int flags) {
    std::string p = prefix_.empty() ? path : path.empty() ? prefix_ : prefix_ + "/" + path;
    return openat2_resolve(root_, p.empty() ? "." : p.c_str(), flags, resolve_);
  }
  int parent_fd(const std::string& entry, size_t n);
  Fd resolve_dir(const std::string& entry, const std::string& path, const char* what);
  void clear_target(int dirfd, const char* name, const std::string& entry);
  void chown_fd(int fd, const char* name, int flags, struct archive_entry* e, const std::string& entry);
  void set_xattrs(int fd, int dirfd, const char* name, bool reg_or_dir, struct archive_entry* e,
                  const std::string& entry);
  static void entry_times(struct archive_entry* e, struct timespec ts[2]);
  void write_file(struct archive* a, struct archive_entry* e, int dirfd, const char* name,
                  const std::string& entry, UntarResult& res);
  void make_dir(struct archive_entry* e, int dirfd, const char* name, const std::string& path,
                const std::string& entry);
  void make_symlink(struct archive_entry* e, int dirfd, const char* name, const std::string& entry);
  void make_hardlink(struct archive_entry* e, int dirfd, const char* name, const std::string& entry);
  void make_node(struct archive_entry* e, int dirfd, const char* name, const std::string& entry);
  void whiteout(int dirfd, const std::string& base, const std::string& entry);
};

// Returns an O_PATH fd (owned by the cache, or root_) of the directory made of
// the first n components of comps_, creating missing directories (0755).
int Extractor::parent_fd(const std::string& entry, size_t n) {
  if (n == 0) return base_;
  std::string path = join(comps_, n);
  if (cache_valid_ && path == cached_path_) return cached_.fd;
  cache_valid_ = false;
  cached_.reset();
  int fd = open_in(path, O_PATH | O_DIRECTORY);
  if (fd < 0 && errno == ENOENT) {
    // Create what is missing, one component at a time, each resolved from
    // the root again so that symlinks inside the layer keep working.
    Fd prev;
    for (size_t i = 1; i <= n; i++) {
      std::string sub = join(comps_, i);
      int f = open_in(sub, O_PATH | O_DIRECTORY);
      if (f < 0 && errno == ENOENT) {
        int pfd = i == 1 ? base_ : prev.fd;
        if (mkdirat(pfd, comps_[i - 1].c_str(), 0755) < 0 && errno != EEXIST)
          fail_errno(entry, "create parent directory " + sub, errno);
        f = open_in(sub, O_PATH | O_DIRECTORY);
      }
      if (f < 0) {
        int e = errno;
        fail_errno(entry, "resolve parent", e, resolve_reason(e));
      }
      prev.reset(f);
    }
    fd = prev.fd;
    prev.fd = -1;
  }
  if (fd < 0) {
    int e = errno;
    fail_errno(entry, "resolve parent", e, resolve_reason(e));
  }
  cached_.reset(fd);
  cached_path_ = path;
  cache_valid_ = true;
  return fd;
}

Fd Extractor::resolve_dir(const std::string& entry, const std::string& path, const char* what) {
  int fd = path.empty() ? openat(base_, ".", O_PATH | O_DIRECTORY | O_CLOEXEC) : open_in(path, O_PATH | O_DIRECTORY);
  if (fd < 0) {
    int e = errno;
    std::string step = std::string("resolve ") + what;
    if (e == ENOENT) fail_errno(entry, step, e, std::string(what) + " does not exist");
    fail_errno(entry, step, e, std::string(what) + ": " + resolve_reason(e));
  }
  return Fd(fd);
}

// Removes whatever is at dirfd/name (a later entry replaces an earlier one).
void Extractor::clear_target(int dirfd, const char* name, const std::string& entry) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return;
    fail_errno(entry, "stat existing", errno);
  }
  if (S_ISDIR(st.st_mode) && opts_.no_overwrite_dir_nondir)
    fail(entry, "cannot overwrite a directory with a non-directory");
  if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
    // The cached parent path may go through it; resolve afresh next time.
    // (The fd in use stays valid until then.)
    cache_valid_ = false;
  }
  if (S_ISDIR(st.st_mode)) {
    remove_at(dirfd, name, entry);
  } else if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
    fail_errno(entry, "remove existing", errno);
  }
}

void Extractor::chown_fd(int fd, const char* name, int flags, struct archive_entry* e,
                         const std::string& entry) {
  if (opts_.chown == UntarOptions::Chown::kNone) return;
  bool force = opts_.chown == UntarOptions::Chown::kForce;
  uid_t uid = force ? opts_.uid : (uid_t)archive_entry_uid(e);
  gid_t gid = force ? opts_.gid : (gid_t)archive_entry_gid(e);
  if (fchownat(fd, name, uid, gid, flags) == 0) return;
  int err = errno;
  if (opts_.ignore_chown_errors) return;
  std::string why = "chown to " + std::to_string(uid) + ":" + std::to_string(gid) + ": " + strerror(err);
  if (err == EINVAL || err == EPERM) why += " (id not mapped in the user namespace?)";
  fail_errno(entry, "chown", err, why);
}

void Extractor::set_xattrs(int fd, int dirfd, const char* name, bool reg_or_dir,
                           struct archive_entry* e, const std::string& entry) {
  if (archive_entry_xattr_reset(e) == 0) return;
  const char* xname;
  const void* value;
  size_t size;
  std::string proc;
  while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
    if (opts_.skip_overlay_xattrs &&
        (!strncmp(xname, "user.overlay.", 13) || !strncmp(xname, "trusted.overlay.", 16)))
      continue;
    int r;
    if (fd >= 0) {
      r = fsetxattr(fd, xname, value, size, 0);
    } else {
      // Symlinks and nodes: no fd to use; the parent fd is trusted, the last
      // component is not followed by lsetxattr.
      if (proc.empty()) proc = "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
      r = lsetxattr(proc.c_str(), xname, value, size, 0);
    }
    if (r == 0) continue;
    int err = errno;
    if (is_ignorable_xattr_error(xname, err, reg_or_dir)) continue;
    fail_errno(entry, std::string("set xattr ") + xname, err);
  }
}

void Extractor::entry_times(struct archive_entry* e, struct timespec ts[2]) {
  if (archive_entry_mtime_is_set(e)) {
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
  } else {
    ts[1].tv_sec = 0;
    ts[1].tv_nsec = UTIME_OMIT;
  }
  if (archive_entry_atime_is_set(e)) {
    ts[0].tv_sec = archive_entry_atime(e);
    ts[0].tv_nsec = archive_entry_atime_nsec(e);
  } else {
    ts[0] = ts[1];
  }
}

void Extractor::write_file(struct archive* a, struct archive_entry* e, int dirfd, const char* name,
                           const std::string& entry, UntarResult& res) {
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  Fd fd(openat(dirfd, name, flags, 0600));
  if (fd.fd < 0 && errno == EEXIST) {
    clear_target(dirfd, name, entry);
    fd.reset(openat(dirfd, name, flags, 0600));
  }
  if (fd.fd < 0) fail_errno(entry, "create file", errno);

  la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
  la_int64_t end = 0;
  for (;;) {
    const void* data;
    size_t len;
    la_int64_t off;
    int r = archive_read_data_block(a, &data, &len, &off);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) fail_archive(entry, "read archive", a);
    const char* p = static_cast<const char*>(data);
    while (len) {
      ssize_t w = pwrite(fd.fd, p, len, off);
      if (w < 0) {
        if (errno == EINTR) continue;
        fail_errno(entry, "write", errno);
      }
      p += w;
      off += w;
      len -= (size_t)w;
    }
    if (off > end) end = off;
  }
  if (end < size && ftruncate(fd.fd, size) < 0) fail_errno(entry, "truncate", errno);  // sparse tail
  res.bytes += (unsigned long long)size;

  chown_fd(fd.fd, "", AT_EMPTY_PATH, e, entry);
  mode_t perm = archive_entry_perm(e) & (opts_.no_privileges ? 01777 : 07777);
  if (fchmod(fd.fd, perm) < 0) fail_errno(entry, "chmod", errno);
  set_xattrs(fd.fd, -1, nullptr, true, e, entry);
  struct timespec ts[2];
  entry_times(e, ts);
  if (futimens(fd.fd, ts) < 0) fail_errno(entry, "set times", errno);
}

void Extractor::make_dir(struct archive_entry* e, int dirfd, const char* name,
                         const std::string& path, const std::string& entry) {
  Fd fd;
  if (path.empty()) {
    fd.reset(openat(base_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  } else {
    if (mkdirat(dirfd, name, 0700) < 0) {
      if (errno != EEXIST) fail_errno(entry, "mkdir", errno);
      struct stat st;
      if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
        if (opts_.no_overwrite_dir_nondir) fail(entry, "cannot overwrite a non-directory with a directory");
        clear_target(dirfd, name, entry);
        if (mkdirat(dirfd, name, 0700) < 0) fail_errno(entry, "mkdir", errno);
      }
    }
    fd.reset(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  if (fd.fd < 0) fail_errno(entry, "open directory", errno);
  chown_fd(fd.fd, "", AT_EMPTY_PATH, e, entry);
  set_xattrs(fd.fd, -1, nullptr, true, e, entry);
  DirMeta m;
  m.path = path;
  m.mode = archive_entry_perm(e) & 07777;
  entry_times(e, m.times);
  dirs_.push_back(std::move(m));
}

void Extractor::make_symlink(struct archive_entry* e, int dirfd, const char* name,
                             const std::string& entry) {
  const char* target = archive_entry_symlink(e);
  if (!target || !*target) fail(entry, "symlink has an empty target");
  if (symlinkat(target, dirfd, name) < 0) {
    if (errno != EEXIST) fail_errno(entry, "symlink", errno);
    clear_target(dirfd, name, entry);
    if (symlinkat(target, dirfd, name) < 0) fail_errno(entry, "symlink", errno);
  }
  chown_fd(dirfd, name, AT_SYMLINK_NOFOLLOW, e, entry);
  set_xattrs(-1, dirfd, name, false, e, entry);
  struct timespec ts[2];
  entry_times(e, ts);
  if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(entry, "set times", errno);
}

void Extractor::make_hardlink(struct archive_entry* e, int dirfd, const char* name,
                              const std::string& entry) {
  const char* raw = archive_entry_hardlink(e);
  split_name(entry, raw, "hard link target", link_comps_);
  if (link_comps_.empty()) fail(entry, "hard link target is the destination itself");
  std::string tparent = join(link_comps_, link_comps_.size() - 1);
  Fd tfd = resolve_dir(entry, tparent, "hard link target's directory");
  const char* tname = link_comps_.back().c_str();
  struct stat tst, st;
  if (fstatat(tfd.fd, tname, &tst, AT_SYMLINK_NOFOLLOW) < 0)
    fail_errno(entry, std::string("hard link target ") + raw, errno);
  if (S_ISDIR(tst.st_mode)) fail(entry, "hard link target is a directory");
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (st.st_dev == tst.st_dev && st.st_ino == tst.st_ino) return;  // already linked
    clear_target(dirfd, name, entry);
  }
  if (linkat(tfd.fd, tname, dirfd, name, 0) < 0) fail_errno(entry, "link", errno);
}

void Extractor::make_node(struct archive_entry* e, int dirfd, const char* name,
                          const std::string& entry) {
  mode_t type = archive_entry_filetype(e);
  dev_t dev = 0;
  if (type == AE_IFCHR || type == AE_IFBLK) {
    if (opts_.no_privileges) {
      warn(entry, "extract", 0, "a device node, skipped (cp -a copies them)");
      return;
    }
    dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
  }
  if (mknodat(dirfd, name, type | 0600, dev) < 0) {
    if (errno == EEXIST) {
      clear_target(dirfd, name, entry);
      if (mknodat(dirfd, name, type | 0600, dev) == 0) goto made;
    }
    if (errno == EPERM && (type == AE_IFCHR || type == AE_IFBLK)) {
      warn(entry, "mknod", EPERM, "cannot create a device node here (user namespace?), skipped");
      return;
    }
    fail_errno(entry, "mknod", errno);
  }
made:
  chown_fd(dirfd, name, AT_SYMLINK_NOFOLLOW, e, entry);
  // The name was just created by us as a node, not a symlink: no following.
  if (fchmodat(dirfd, name, archive_entry_perm(e) & 07777, 0) < 0) fail_errno(entry, "chmod", errno);
  set_xattrs(-1, dirfd, name, false, e, entry);
  struct timespec ts[2];
  entry_times(e, ts);
  if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(entry, "set times", errno);
}

// OCI whiteouts -> overlayfs (userxattr) whiteouts.
void Extractor::whiteout(int dirfd, const std::string& base, const std::string& entry) {
  if (base == ".wh..wh..opq") {
    Fd d(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.fd < 0) fail_errno(entry, "open directory", errno);
    if (fsetxattr(d.fd, "user.overlay.opaque", "y", 1, 0) < 0)
      fail_errno(entry, "set xattr user.overlay.opaque", errno);
    return;
  }
  if (base.compare(0, 8, ".wh..wh.") == 0) return;  // other AUFS metadata: ignore
  std::string name = base.substr(4);
  if (name.empty() || name == "." || name == "..") fail(entry, "invalid whiteout name");
  if (mknodat(dirfd, name.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0) {
    if (errno != EEXIST) fail_errno(entry, "create whiteout device", errno);
    clear_target(dirfd, name.c_str(), entry);
    if (mknodat(dirfd, name.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
      fail_errno(entry, "create whiteout device", errno);
  }
}

void Extractor::entry(struct archive* a, struct archive_entry* e, UntarResult& res) {
  const char* raw = archive_entry_pathname(e);
  std::string entry = raw ? raw : "";
  split_name(entry.empty() ? "(unnamed)" : entry, raw, "name", comps_);
  bool is_hardlink = archive_entry_hardlink(e) != nullptr;
  mode_t type = archive_entry_filetype(e);

  if (comps_.empty()) {
    // "./": the destination itself.
    if (type != AE_IFDIR || is_hardlink) fail(entry, "name refers to the destination itself");
    make_dir(e, base_, nullptr, "", entry);
    return;
  }
  int dirfd = parent_fd(entry, comps_.size() - 1);
  const std::string& base = comps_.back();

  if (opts_.whiteouts && base.compare(0, 4, ".wh.") == 0) {
    whiteout(dirfd, base, entry);
    return;
  }
  if (is_hardlink) {
    make_hardlink(e, dirfd, base.c_str(), entry);
    return;
  }
  switch (type) {
    case AE_IFREG: write_file(a, e, dirfd, base.c_str(), entry, res); break;
    case AE_IFDIR: make_dir(e, dirfd, base.c_str(), join(comps_, comps_.size()), entry); break;
    case AE_IFLNK: make_symlink(e, dirfd, base.c_str(), entry); break;
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
    case AE_IFSOCK: make_node(e, dirfd, base.c_str(), entry); break;
    default: fail(entry, "unsupported entry type " + std::to_string(type));
  }
}

// Directory modes and times last: a read-only directory can still be filled,
// and creating entries no longer touches the mtimes.
void Extractor::finish() {
  cached_.reset();
  cache_valid_ = false;
  for (const DirMeta& m : dirs_) {  // in archive order: a later entry wins
    int fd = m.path.empty() ? openat(base_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : open_in(m.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) continue;  // replaced by a later entry
    Fd f(fd);
    std::string shown = m.path.empty() ? "." : m.path;
    if (fchmod(fd, m.mode) < 0) fail_errno(shown, "chmod", errno);
    if (futimens(fd, m.times) < 0) fail_errno(shown, "set times", errno);
  }
}

}  // namespace

namespace {

// libarchive reads through this; a C++ exception must not cross its C frames.
struct Source {
  LayerStream* stream;
  bool failed = false;
  EntryError error;
};

la_ssize_t read_layer(struct archive* a, void* p, const void** buf) {
  Source* src = static_cast<Source*>(p);
  try {
    return (la_ssize_t)src->stream->next(buf);
  } catch (const EntryError& e) {
    src->failed = true;
    src->error = e;
    archive_set_error(a, EIO, "%s", e.reason.c_str());
    return -1;
  }
}

}  // namespace

UntarResult untar(LayerStream& in, const char* dest, const UntarOptions& opts) {
  Fd root(open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.fd < 0) fail_errno(dest, "open destination", errno);
  return untar_at(in, root.fd, "", root.fd, kBeneath, opts);
}

UntarResult untar_at(LayerStream& in, int root, const std::string& prefix, int base,
                     uint64_t resolve, const UntarOptions& opts) {
  // Names are bytes; with a UTF-8 locale libarchive hands PAX (UTF-8) names
  // over unchanged.
  if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C.utf8");
  umask(0);

  struct archive* a = archive_read_new();
  if (!a) fail_errno(Label{"(archive)"}, "archive_read_new", ENOMEM, "out of memory");
  struct Closer {
    struct archive* a;
    ~Closer() { archive_read_free(a); }
  } closer{a};
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_filter_none(a);
  Source src{&in, false, {}};
  if (archive_read_open(a, &src, nullptr, read_layer, nullptr) != ARCHIVE_OK) {
    if (src.failed) throw src.error;
    fail_archive(Label{"(archive)"}, "open archive", a, "open");
  }

  UntarResult res;
  Extractor ex(root, prefix, base, resolve, opts);
  std::string last;  // the last entry's name
  try {
    for (;;) {
      struct archive_entry* e;
      int r = archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_RETRY) continue;
      if (r == ARCHIVE_WARN) {
        const char* msg = archive_error_string(a);
        const char* n = archive_entry_pathname(e);
        if (msg) warn(n ? n : last, "read archive", archive_syserr(a), msg);
      } else if (r != ARCHIVE_OK) {
        Where after(last);
        after.label = "after " + (last.empty() ? "(start of archive)" : last);
        fail_archive(after, "read archive", a);
      }
      res.entries++;
      const char* n = archive_entry_pathname(e);
      last = n ? n : "(unnamed)";
      ex.entry(a, e, res);
    }
    ex.finish();
  } catch (const EntryError&) {
    // A stream failure (bad gzip, read error) is the cause of whatever libarchive saw.
    if (src.failed) throw src.error;
    throw;
  }
  return res;
}

void remove_tree(const char* path) {
  std::string p = path ? path : "";
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty()) fail(Label{"(empty)"}, "refusing to remove an empty path");
  size_t slash = p.rfind('/');
  std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
  std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") fail(p, "refusing to remove this path");
  Fd dir(open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0) {
    if (errno == ENOENT) return;
    fail_errno(p, "open parent", errno);
  }
  remove_at(dir.fd, base.c_str(), p);
}
