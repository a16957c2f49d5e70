// Writing uid/gid maps for a process that has just entered a new user
// namespace. idmap_prepare() runs before any fork and owns all memory;
// idmap_apply() is async-signal-safe (no allocation, raw system calls only),
// so it may run in a child forked from the multi-threaded Node process.
#pragma once
#include <string>
#include <vector>
#include <sys/types.h>

struct IdMapping {
  unsigned container_id;
  unsigned host_id;
  unsigned size;
};

struct IdMapPlan {
  bool use_helpers = false;       // newuidmap/newgidmap (setuid helpers) vs direct write
  std::string uid_text, gid_text; // "C H N\n" lines, for the direct write
  std::string newuidmap, newgidmap;
  std::vector<std::string> uid_args, gid_args; // without argv[0] and the pid
  // Filled by idmap_prepare; argv[1] points at pid_buf.
  char pid_buf[24] = {0};
  std::vector<const char*> uid_argv, gid_argv;
};

void idmap_prepare(IdMapPlan& plan, const std::vector<IdMapping>& uids,
                   const std::vector<IdMapping>& gids, bool use_helpers,
                   const std::string& newuidmap = "/usr/bin/newuidmap",
                   const std::string& newgidmap = "/usr/bin/newgidmap");

// Writes the maps of `pid`. Returns 0, or -errno with *step naming what failed.
int idmap_apply(IdMapPlan& plan, pid_t pid, const char** step);

// Async-signal-safe helpers shared by code that runs after fork.
void safe_itoa(long value, char* buf, size_t len);
size_t safe_strlen(const char* s);
void safe_strcpy(char* dst, const char* src, size_t len);
