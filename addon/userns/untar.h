// Layer extraction and tree removal for husk-userns. Both run in whatever
// namespace the caller set up (see main.cc); neither ever writes outside the
// directory it was given.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include "userns/common.h"

struct UntarOptions {
  bool ignore_chown_errors = false;
  // Layers: `.wh.` names become overlay whiteouts. `cp` writes them as files.
  bool whiteouts = true;
  // Owners: kKeep (the archive's ids), kForce (uid/gid below for every
  // entry), kNone (whoever creates the file owns it).
  enum class Chown { kKeep, kForce, kNone } chown = Chown::kKeep;
  uid_t uid = 0;
  gid_t gid = 0;
  // docker cp: an existing directory is never replaced by a non-directory,
  // nor a non-directory by a directory (an error instead).
  bool no_overwrite_dir_nondir = false;
  // overlayfs' own xattrs (user.overlay.*, trusted.overlay.*) are dropped.
  bool skip_overlay_xattrs = false;
  // cp to the host without -a: no setuid/setgid bits on files and no device
  // nodes from a container (as tar does for a user who is not root).
  bool no_privileges = false;
};

struct UntarResult {
  unsigned long long entries = 0;
  unsigned long long bytes = 0;  // sum of regular file sizes
};

class LayerStream;

// Reads a layer (tar, decompressed by `in`) and writes it into the existing
// directory `dest`; stops at the tar's end blocks (the caller drains the
// rest). Throws EntryError.
UntarResult untar(LayerStream& in, const char* dest, const UntarOptions& opts);

// The same into a directory of a root: `base` is the destination (a
// directory fd), `prefix` its path relative to `root` ("" when root is the
// destination), and every parent path is resolved with openat2(root,
// prefix/parent, resolve) (RESOLVE_BENEATH: nothing leaves `root`;
// RESOLVE_IN_ROOT: symlinks resolve as if `root` were "/").
UntarResult untar_at(LayerStream& in, int root, const std::string& prefix, int base,
                     uint64_t resolve, const UntarOptions& opts);

// Removes `path` recursively without following symlinks; a missing path is
// not an error. Throws EntryError.
void remove_tree(const char* path);

// Removes `name` in the directory `dirfd` recursively, never following
// symlinks; a missing name is not an error. `shown` names it in errors.
// Throws EntryError.
void remove_at(int dirfd, const char* name, const std::string& shown);
