// The copying ("vfs") storage driver: merges overlayfs-format layer
// directories into one plain directory tree. See README.md.
#pragma once
#include <string>
#include <vector>

#include "userns/untar.h"  // EntryError

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
