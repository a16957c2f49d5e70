// What a container changed, compared with its image's layers: from the
// overlay upper directory (whiteouts and opaque directories included), or,
// for the copying vfs driver, from a complete root file system compared
// entry by entry with the layers. For `diff` (a list) and `commit` (a layer
// tar with OCI whiteouts: .wh.NAME, .wh..wh..opq).
#pragma once
#include <set>
#include <string>
#include <vector>

class TarWriter;

struct ChangeOptions {
  // The upper directory (overlay, fuse-overlayfs), or a complete tree (vfs).
  std::string dir;
  bool full = false;
  // The image's layer directories, bottom first (overlay format).
  std::vector<std::string> lowers;
  // Paths ("/etc/hostname") left out: mount points the runtime made.
  std::set<std::string> exclude;
};

struct Change {
  char kind;  // 'A', 'C', 'D'
  std::string path;
};

// The changes, in walk order (parents before children). Throws EntryError.
std::vector<Change> list_changes(const ChangeOptions& opts);

// The changes as a layer tar written to `out`. Throws EntryError.
void write_layer(const ChangeOptions& opts, TarWriter& out);
