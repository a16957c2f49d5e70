// The copying ("vfs") storage driver: merges overlayfs-format layer
// directories into one plain directory tree. See README.md.
#pragma once
#include <string>
#include <vector>

#include <sys/stat.h>

#include "userns/untar.h"  // EntryError, Fd

struct MergeResult {
  unsigned long long entries = 0;  // layer entries visited (whiteouts included)
  unsigned long long bytes = 0;    // sum of regular file sizes copied (hard links once)
};

// Copies `layers` (bottom first) over the existing empty directory `dest`
// with overlay semantics. Throws EntryError naming the layer path.
MergeResult merge_layers(const char* dest, const std::vector<std::string>& layers);

// A volume's first mount: copies what the merged view of `layers` (bottom
// first) shows at `path` into the empty directory `dest`, `path` resolved
// inside the image (symlinks as if the image were "/"). Nothing is copied
// when `dest` is not empty or `path` is not a directory in the image.
MergeResult copy_up(const char* dest, const std::string& path, const std::vector<std::string>& layers);

// An overlayfs opaque directory: the xattr the kernel writes (user.* with
// userxattr, which husk always mounts with; trusted.* rootful elsewhere),
// fuse-overlayfs' own, or its marker file.
bool overlay_opaque(int fd);

// What the merged view of some layer directories (top first) shows under one
// name, as an overlay mount would look it up: a whiteout or a non-directory
// hides what is below, an opaque directory the directories below it.
// Nothing is followed.
struct OverlayEntry {
  enum Kind { kMissing, kDir, kSymlink, kOther } kind = kMissing;
  struct stat st {};     // of the topmost entry
  std::vector<Fd> dirs;  // kDir: the layers' directories making it up, top first
  std::string target;    // kSymlink
};
OverlayEntry overlay_lookup(const std::vector<Fd>& dirs, const std::string& name, const std::string& shown);
