#include "userns/tar_writer.h"
#include "userns/archive_errors.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace {

struct Entry {
  struct archive_entry* e;
  Entry() : e(archive_entry_new()) {
    if (!e) fail_errno(Label{"(archive)"}, "archive_entry_new", ENOMEM, "out of memory");
  }
  ~Entry() { archive_entry_free(e); }
};

bool is_overlay_xattr(const char* n) {
  return !strncmp(n, "user.overlay.", 13) || !strncmp(n, "trusted.overlay.", 16) ||
         !strncmp(n, "user.fuseoverlayfs.", 19);
}

std::string proc_path(int dirfd, const char* name) {
  return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

}  // namespace

bool is_pseudo_fs(int fd) {
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0) return false;
  switch ((unsigned long)sf.f_type) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case 0x19800202:  // mqueue
    case SECURITYFS_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case BPF_FS_MAGIC:
    case PSTOREFS_MAGIC:
    case EFIVARFS_MAGIC:
    case SELINUX_MAGIC:
    case BINFMTFS_MAGIC:
    case 0x65735543:  // fusectl
    case 0x62656570:  // configfs
      return true;
    default:
      return false;
  }
}

void read_xattrs(int fd, const std::string& lpath, const std::string& shown, XattrList& out) {
  out.items.clear();
  std::vector<char> list(1024);
  ssize_t n;
  for (;;) {
    n = fd >= 0 ? flistxattr(fd, list.data(), list.size()) : llistxattr(lpath.c_str(), list.data(), list.size());
    if (n >= 0) break;
    if (errno == ERANGE && list.size() < (1u << 20)) {
      list.resize(list.size() * 4);
      continue;
    }
    if (errno == ENOTSUP || errno == EPERM || errno == EACCES) return;
    fail_errno(shown, "list xattrs", errno);
  }
  for (ssize_t i = 0; i < n;) {
    const char* name = list.data() + i;
    size_t len = strlen(name);
    i += (ssize_t)len + 1;
    if (!len || is_overlay_xattr(name)) continue;
    std::string value;
    for (size_t cap = 256;;) {
      value.resize(cap);
      ssize_t v = fd >= 0 ? fgetxattr(fd, name, &value[0], cap) : lgetxattr(lpath.c_str(), name, &value[0], cap);
      if (v >= 0) {
        value.resize((size_t)v);
        out.items.emplace_back(name, std::move(value));
        break;
      }
      if (errno == ERANGE && cap < (1u << 24)) {
        cap *= 4;
        continue;
      }
      // Gone meanwhile, or not ours to read (trusted.* outside the initial namespace).
      if (errno == ENODATA || errno == ENOTSUP || errno == EPERM || errno == EACCES) break;
      fail_errno(shown, std::string("get xattr ") + name, errno);
    }
  }
}

TarWriter::TarWriter(int out_fd) : a_(archive_write_new()) {
  if (!a_) fail_errno(Label{"(archive)"}, "archive_write_new", ENOMEM, "out of memory");
  // Names are bytes: with a UTF-8 locale libarchive writes them unchanged.
  if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "C.utf8");
  archive_write_set_format_pax_restricted(a_);
  // A stream: no padding of the last block beyond the end-of-archive blocks.
  archive_write_set_bytes_in_last_block(a_, 1);
  if (archive_write_open_fd(a_, out_fd) != ARCHIVE_OK)
    fail_archive(Label{"(stdout)"}, "open archive", a_);
}

TarWriter::~TarWriter() {
  if (!finished_) archive_write_fail(a_);
  archive_write_free(a_);
}

void TarWriter::check(int r, const std::string& shown) {
  if (r >= ARCHIVE_WARN) return;
  fail_archive(shown, "write archive", a_);
}

void TarWriter::finish() {
  if (archive_write_close(a_) != ARCHIVE_OK) {
    fail_archive(Label{"(archive)"}, "close archive", a_, "close");
  }
  finished_ = true;
}

std::vector<std::string> TarWriter::list(int dirfd, const std::string& shown) {
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno(shown, "open directory", errno);
  DIR* d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    fail_errno(shown, "fdopendir", e);
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* de = readdir(d);
    if (!de) {
      int e = errno;
      closedir(d);
      if (e) fail_errno(shown, "readdir", e);
      break;
    }
    const char* n = de->d_name;
    if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]))) continue;
    names.emplace_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Copies `size` bytes of `fd`; a file that shrank meanwhile (a running
// container) is padded with zeros, one that grew is cut at the header's size.
void TarWriter::write_data(int fd, off_t size, const std::string& shown) {
  if (buf_.empty()) buf_.resize(1 << 20);
  off_t done = 0;
  while (done < size) {
    size_t want = (size_t)std::min<off_t>(size - done, (off_t)buf_.size());
    ssize_t r = read(fd, buf_.data(), want);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail_errno(shown, "read", errno);
    }
    if (r == 0) {
      std::fill(buf_.begin(), buf_.begin() + (long)want, 0);
      r = (ssize_t)want;
    }
    la_ssize_t w = archive_write_data(a_, buf_.data(), (size_t)r);
    if (w < 0) check((int)w, shown);
    done += r;
  }
}

void TarWriter::set_mtime(struct archive_entry* e, const struct timespec& t) const {
  if (clamp_ >= 0 && t.tv_sec >= clamp_) archive_entry_set_mtime(e, clamp_, 0);
  else archive_entry_set_mtime(e, t.tv_sec, t.tv_nsec);
}

void TarWriter::marker(const std::string& tar_name, const struct stat& like) {
  Entry en;
  archive_entry_set_pathname(en.e, tar_name.c_str());
  archive_entry_set_filetype(en.e, AE_IFREG);
  archive_entry_set_perm(en.e, 0);
  archive_entry_set_uid(en.e, like.st_uid);
  archive_entry_set_gid(en.e, like.st_gid);
  archive_entry_set_size(en.e, 0);
  set_mtime(en.e, like.st_mtim);
  check(archive_write_header(a_, en.e), tar_name);
  entries_++;
}

void TarWriter::entry(int dirfd, const char* name, const std::string& tar_name, const struct stat& lst) {
  const std::string& shown = tar_name;
  struct stat st = lst;
  Fd fd;
  mode_t type = st.st_mode & S_IFMT;
  if (type == S_IFSOCK) {
    warn(shown, "archive", 0, "a socket cannot be archived, skipped");
    return;
  }
  if (type == S_IFREG || type == S_IFDIR) {
    // The entry is described by what was opened: it may have changed since the lstat.
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (type == S_IFDIR ? O_DIRECTORY : 0);
    fd.reset(openat(dirfd, name, flags));
    if (fd.fd < 0) fail_errno(shown, "open", errno);
    if (fstat(fd.fd, &st) < 0) fail_errno(shown, "stat", errno);
    if ((st.st_mode & S_IFMT) != type) fail(shown, "changed while being archived");
  }
  Entry en;
  std::string tn = tar_name;
  if (type == S_IFDIR && (tn.empty() || tn.back() != '/')) tn += '/';
  archive_entry_set_pathname(en.e, tn.c_str());
  archive_entry_set_uid(en.e, st.st_uid);
  archive_entry_set_gid(en.e, st.st_gid);
  archive_entry_set_perm(en.e, st.st_mode & 07777);
  set_mtime(en.e, st.st_mtim);
  archive_entry_set_size(en.e, 0);

  bool data = false;
  switch (type) {
    case S_IFREG: {
      if (st.st_nlink > 1) {
        std::string key = std::to_string((unsigned long long)st.st_dev) + ":" + std::to_string((unsigned long long)st.st_ino);
        auto it = links_.find(key);
        if (it != links_.end()) {
          archive_entry_set_filetype(en.e, AE_IFREG);
          archive_entry_set_hardlink(en.e, it->second.c_str());
          check(archive_write_header(a_, en.e), shown);
          entries_++;
          return;
        }
        links_.emplace(key, tn);
      }
      archive_entry_set_filetype(en.e, AE_IFREG);
      archive_entry_set_size(en.e, st.st_size);
      data = st.st_size > 0;
      break;
    }
    case S_IFDIR: archive_entry_set_filetype(en.e, AE_IFDIR); break;
    case S_IFLNK: {
      std::string target = read_link(dirfd, name, st, shown);
      archive_entry_set_filetype(en.e, AE_IFLNK);
      archive_entry_set_symlink(en.e, target.c_str());
      break;
    }
    case S_IFCHR:
    case S_IFBLK:
      archive_entry_set_filetype(en.e, type == S_IFCHR ? AE_IFCHR : AE_IFBLK);
      archive_entry_set_rdevmajor(en.e, major(st.st_rdev));
      archive_entry_set_rdevminor(en.e, minor(st.st_rdev));
      break;
    case S_IFIFO: archive_entry_set_filetype(en.e, AE_IFIFO); break;
    default: fail(shown, "unsupported file type");
  }
  XattrList x;
  read_xattrs(fd.fd, fd.fd >= 0 ? "" : proc_path(dirfd, name), shown, x);
  for (auto& kv : x.items) archive_entry_xattr_add_entry(en.e, kv.first.c_str(), kv.second.data(), kv.second.size());
  check(archive_write_header(a_, en.e), shown);
  entries_++;
  if (data) write_data(fd.fd, st.st_size, shown);
}

void TarWriter::tree(int dirfd, const char* name, const std::string& tar_name, const struct stat& st) {
  entry(dirfd, name, tar_name, st);
  if (!S_ISDIR(st.st_mode)) return;
  Fd d(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (d.fd < 0) fail_errno(tar_name, "open directory", errno);
  struct stat dst;
  if (fstat(d.fd, &dst) < 0) fail_errno(tar_name, "stat", errno);
  children(d.fd, tar_name, dst.st_dev);
}

void TarWriter::children(int dirfd, const std::string& prefix, dev_t dev) {
  for (const std::string& n : list(dirfd, prefix.empty() ? "." : prefix)) {
    std::string child = prefix.empty() ? n : prefix + "/" + n;
    struct stat st;
    if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;  // removed meanwhile
      fail_errno(child, "stat", errno);
    }
    if (S_ISDIR(st.st_mode) && st.st_dev != dev) {
      // Another mount: a pseudo file system shows as its (empty) mount point.
      Fd d(openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (d.fd >= 0 && is_pseudo_fs(d.fd)) {
        entry(dirfd, n.c_str(), child, st);
        continue;
      }
    }
    tree(dirfd, n.c_str(), child, st);
  }
}
