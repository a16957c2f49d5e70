// Layer extraction and tree removal for husk-userns. Both run in whatever
// namespace the caller set up (see main.cc); neither ever writes outside the
// directory it was given.
#pragma once
#include <string>
#include "userns/common.h"

struct UntarOptions {
  bool ignore_chown_errors = false;
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

// Removes `path` recursively without following symlinks; a missing path is
// not an error. Throws EntryError.
void remove_tree(const char* path);

// Removes `name` in the directory `dirfd` recursively, never following
// symlinks; a missing name is not an error. `shown` names it in errors.
// Throws EntryError.
void remove_at(int dirfd, const char* name, const std::string& shown);
