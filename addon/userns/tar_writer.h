// Writing a tar stream (PAX) of file system entries, for `cp`, `export` and
// `commit`: owners, modes, times, xattrs, symlinks as symlinks, hard links
// as hard links, device nodes and FIFOs. Every entry is read relative to a
// directory fd with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW: nothing is followed.
#pragma once
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

#include "userns/common.h"

struct archive;

class TarWriter {
 public:
  explicit TarWriter(int out_fd);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // One entry, `name` in `dirfd` (not followed), described by `st` (its
  // lstat), written as `tar_name`. Directories: the entry alone.
  void entry(int dirfd, const char* name, const std::string& tar_name, const struct stat& st);
  // An entry and, for a directory, everything under it (sorted by name).
  // Mounts of pseudo file systems (proc, sysfs, ...) below the top are
  // written as empty directories.
  void tree(int dirfd, const char* name, const std::string& tar_name, const struct stat& st);
  // The children of the directory `dirfd` (an fd that can be read), each
  // under `prefix` ("" for none).
  void children(int dirfd, const std::string& prefix, dev_t dev);
  // An empty regular file entry (an OCI whiteout: .wh.NAME, .wh..wh..opq).
  void marker(const std::string& tar_name, const struct stat& like);
  // Ends the archive (its end blocks). Throws EntryError.
  void finish();

  unsigned long long entries() const { return entries_; }
  // Times later than `t` (seconds since the epoch) are written as `t`, with
  // no fraction: a build with --timestamp gives the same bytes every time.
  void clamp_mtime(long long t) { clamp_ = t; }

  // Directory entry names, sorted; "." and ".." left out.
  static std::vector<std::string> list(int dirfd, const std::string& shown);

 private:
  struct archive* a_;
  bool finished_ = false;
  long long clamp_ = -1;
  unsigned long long entries_ = 0;
  std::unordered_map<std::string, std::string> links_;  // "dev:ino" -> first tar name
  std::vector<char> buf_;

  void check(int r, const std::string& shown);
  void set_mtime(struct archive_entry* e, const struct timespec& t) const;
  void write_data(int fd, off_t size, const std::string& shown);
};

// Whether this directory (an fd) is the root of a pseudo file system whose
// content is no part of a container's files (proc, sysfs, cgroup, ...).
bool is_pseudo_fs(int fd);

// Names of the xattrs of an entry worth copying (overlayfs' own left out),
// with their values. fd >= 0: of the fd; else of the path (not followed).
struct XattrList {
  std::vector<std::pair<std::string, std::string>> items;
};
void read_xattrs(int fd, const std::string& lpath, const std::string& shown, XattrList& out);
