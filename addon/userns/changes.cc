#include "userns/changes.h"
#include "userns/common.h"
#include "userns/merge.h"
#include "userns/tar_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace {

std::string join(const std::string& rel, const std::string& name) {
  return rel.empty() ? name : rel + "/" + name;
}

// A whiteout: a character device 0:0, or (overlayfs since 6.7) an empty
// regular file marked with the whiteout xattr.
bool is_whiteout(int dirfd, const char* name, const struct stat& st) {
  if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return true;
  if (!S_ISREG(st.st_mode) || st.st_size != 0) return false;
  Fd fd(openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.fd < 0) return false;
  char v[4];
  return fgetxattr(fd.fd, "user.overlay.whiteout", v, sizeof v) >= 0 ||
         fgetxattr(fd.fd, "trusted.overlay.whiteout", v, sizeof v) >= 0;
}

// The names a merged directory of the layers shows, sorted.
std::vector<std::string> visible_names(const std::vector<Fd>& dirs, const std::string& shown) {
  std::set<std::string> seen, shownames;
  for (const Fd& d : dirs) {
    for (const std::string& n : TarWriter::list(d.fd, shown)) {
      if (!seen.insert(n).second) continue;
      struct stat st;
      if (fstatat(d.fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
      if (S_ISCHR(st.st_mode) && st.st_rdev == 0) continue;
      shownames.insert(n);
    }
  }
  return std::vector<std::string>(shownames.begin(), shownames.end());
}

bool same_owner_mode(const struct stat& a, const struct stat& b) {
  return a.st_mode == b.st_mode && a.st_uid == b.st_uid && a.st_gid == b.st_gid;
}

bool same_time(const struct stat& a, const struct stat& b) {
  return a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

class Walker {
 public:
  Walker(const ChangeOptions& o, TarWriter* tar, std::vector<Change>* out) : o_(o), tar_(tar), out_(out) {}

  void run() {
    Fd top(open(o_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (top.fd < 0) fail_errno(o_.dir, "open", errno);
    std::vector<Fd> lower;
    for (auto it = o_.lowers.rbegin(); it != o_.lowers.rend(); ++it) {
      Fd fd(open(it->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (fd.fd < 0) fail_errno(*it, "open layer", errno);
      lower.push_back(std::move(fd));
    }
    if (o_.full) walk_full(top.fd, "", lower);
    else walk_upper(top.fd, "", lower);
  }

 private:
  struct Result {
    bool reported = false;  // a change was found below
    bool excluded = false;  // an excluded path was left out right below
  };
  // full mode: directories above the current entry whose tar entries are
  // not written yet (unchanged ones are written only when something below is).
  struct Pending {
    int parent;
    std::string name, tar;
    struct stat st;
    bool written;
  };

  const ChangeOptions& o_;
  TarWriter* tar_;
  std::vector<Change>* out_;
  std::vector<Pending> pending_;

  bool excluded(const std::string& rel) const { return o_.exclude.count("/" + rel) > 0; }

  void report(char kind, const std::string& rel) {
    if (out_) out_->push_back(Change{kind, "/" + rel});
  }

  void flush() {
    if (!tar_) return;
    for (Pending& p : pending_) {
      if (p.written) continue;
      tar_->entry(p.parent, p.name.c_str(), p.tar, p.st);
      p.written = true;
    }
  }

  void whiteout(const std::string& rel, const std::string& name, const struct stat& like) {
    if (!tar_) return;
    flush();
    tar_->marker(join(rel, ".wh." + name), like);
  }

  void write(int dir, const std::string& name, const std::string& rel, const struct stat& st) {
    if (!tar_) return;
    flush();
    tar_->entry(dir, name.c_str(), rel, st);
  }

  Result walk_upper(int dir, const std::string& rel, const std::vector<Fd>& lower) {
    Result r;
    for (const std::string& n : TarWriter::list(dir, rel.empty() ? o_.dir : rel)) {
      std::string crel = join(rel, n);
      if (excluded(crel)) {
        r.excluded = true;
        continue;
      }
      struct stat st;
      if (fstatat(dir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(crel, "stat", errno);
      if (n.compare(0, 4, ".wh.") == 0) {
        // fuse-overlayfs where it could not make a device: already in OCI form.
        // (".wh..opq": fuse-overlayfs' own bookkeeping, no whiteout of a file.)
        if (n == ".wh..opq") continue;
        if (n != ".wh..wh..opq" && overlay_lookup(lower, n.substr(4), crel).kind != OverlayEntry::kMissing) {
          report('D', join(rel, n.substr(4)));
          r.reported = true;
        }
        // (The opaque marker is written with its directory, below.)
        if (tar_ && n != ".wh..wh..opq") tar_->marker(crel, st);
        continue;
      }
      OverlayEntry f = overlay_lookup(lower, n, crel);
      if (is_whiteout(dir, n.c_str(), st)) {
        if (f.kind != OverlayEntry::kMissing) {
          report('D', crel);
          r.reported = true;
        }
        whiteout(rel, n, st);
        continue;
      }
      char kind = f.kind == OverlayEntry::kMissing ? 'A' : 'C';
      if (!S_ISDIR(st.st_mode)) {
        report(kind, crel);
        r.reported = true;
        write(dir, n, crel, st);
        continue;
      }
      Fd d(openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (d.fd < 0) fail_errno(crel, "open directory", errno);
      bool opaque = overlay_opaque(d.fd);
      size_t at = out_ ? out_->size() : 0;
      if (out_) out_->push_back(Change{0, "/" + crel});  // decided below
      // Into the layer once something below is, or below if it changed itself.
      pending_.push_back(Pending{dir, n, crel, st, false});
      bool hides = opaque && f.kind == OverlayEntry::kDir;
      if (hides && tar_) {
        flush();
        tar_->marker(crel + "/.wh..wh..opq", st);
      }
      static const std::vector<Fd> kNone;
      Result cr = walk_upper(d.fd, crel, hides || f.kind != OverlayEntry::kDir ? kNone : f.dirs);
      if (hides && out_) {
        // What the opaque directory hides is deleted.
        for (const std::string& c : visible_names(f.dirs, crel)) {
          struct stat cst;
          if (fstatat(d.fd, c.c_str(), &cst, AT_SYMLINK_NOFOLLOW) == 0 || excluded(join(crel, c))) continue;
          report('D', join(crel, c));
          cr.reported = true;
        }
      }
      // A directory that only holds mount points the runtime made is no change.
      bool shown = kind == 'A' ? cr.reported || !cr.excluded
                               : cr.reported || f.kind != OverlayEntry::kDir || !same_owner_mode(st, f.st);
      if (out_ && shown) (*out_)[at].kind = kind;
      if (shown) flush();
      pending_.pop_back();
      r.reported = r.reported || shown;
    }
    return r;
  }

  bool differs(int dir, const std::string& name, const struct stat& st, const OverlayEntry& f, const std::string& rel) {
    if (f.kind == OverlayEntry::kMissing) return true;
    if ((st.st_mode & S_IFMT) != (f.st.st_mode & S_IFMT)) return true;
    if (!same_owner_mode(st, f.st)) return true;
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR: return !same_time(st, f.st);
      case S_IFREG: return st.st_size != f.st.st_size || !same_time(st, f.st);
      case S_IFLNK: return read_link(dir, name.c_str(), st, rel) != f.target;
      case S_IFCHR:
      case S_IFBLK: return st.st_rdev != f.st.st_rdev;
      default: return false;
    }
  }

  // The directory has the image's entries, and more only where the runtime mounts something.
  bool only_mount_points_added(int dir, const std::string& name, const std::string& crel, const std::vector<Fd>& lower) {
    Fd d(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (d.fd < 0) return false;
    const std::vector<std::string> image = visible_names(lower, crel);
    std::vector<std::string> now, before;
    bool made = false;  // a mount point the image did not have
    for (const std::string& c : TarWriter::list(d.fd, crel)) {
      if (!excluded(join(crel, c)))
        now.push_back(c);
      else if (!std::binary_search(image.begin(), image.end(), c))
        made = true;
    }
    for (const std::string& c : image)
      if (!excluded(join(crel, c))) before.push_back(c);
    return made && now == before;
  }

  void walk_full(int dir, const std::string& rel, const std::vector<Fd>& lower) {
    std::vector<std::string> names = TarWriter::list(dir, rel.empty() ? o_.dir : rel);
    if (!lower.empty()) {
      struct stat like {};
      for (const std::string& c : visible_names(lower, rel)) {
        if (std::binary_search(names.begin(), names.end(), c) || excluded(join(rel, c))) continue;
        report('D', join(rel, c));
        whiteout(rel, c, like);
      }
    }
    for (const std::string& n : names) {
      std::string crel = join(rel, n);
      if (excluded(crel)) continue;
      struct stat st;
      if (fstatat(dir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(crel, "stat", errno);
      OverlayEntry f = overlay_lookup(lower, n, crel);
      bool changed = differs(dir, n, st, f, crel);
      // Only its time, from a mount point the runtime made in it (/run/.containerenv): no change.
      if (changed && S_ISDIR(st.st_mode) && f.kind == OverlayEntry::kDir && same_owner_mode(st, f.st) && only_mount_points_added(dir, n, crel, f.dirs))
        changed = false;
      if (changed) {
        report(f.kind == OverlayEntry::kMissing ? 'A' : 'C', crel);
        write(dir, n, crel, st);
      }
      if (!S_ISDIR(st.st_mode)) continue;
      Fd d(openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (d.fd < 0) fail_errno(crel, "open directory", errno);
      if (!changed) pending_.push_back(Pending{dir, n, crel, st, false});
      static const std::vector<Fd> kNone;
      walk_full(d.fd, crel, f.kind == OverlayEntry::kDir ? f.dirs : kNone);
      if (!changed) pending_.pop_back();
    }
  }
};

}  // namespace

std::vector<Change> list_changes(const ChangeOptions& opts) {
  std::vector<Change> out;
  Walker(opts, nullptr, &out).run();
  out.erase(std::remove_if(out.begin(), out.end(), [](const Change& c) { return c.kind == 0; }), out.end());
  return out;
}

void write_layer(const ChangeOptions& opts, TarWriter& out) {
  Walker(opts, &out, nullptr).run();
}
