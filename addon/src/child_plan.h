// The plan a container's processes run from. createContainer (spawn.cc) fills
// it from the JS options BEFORE any fork: every string, argv, flag and BPF
// program is in here. The forked processes (spawn_child.cc) only read it and
// make raw system calls: no allocation, no V8, no locks, no stdio.
#pragma once
#include <sys/resource.h>
#include <sys/types.h>
#include <cstdint>
#include <string>
#include <vector>

#include "common/idmap.h"
#include "src/errors.h"

namespace husk {

// Records on the sync pipe (init/intermediate -> Node). Fixed size, smaller
// than PIPE_BUF, so each write is atomic.
enum SyncKind : int32_t { kSyncPids = 1, kSyncError = 2, kSyncReady = 3, kSyncExit = 4 };
struct SyncRecord {
  int32_t kind;
  int32_t init_pid;     // kSyncPids: host pid of the init (exec: of the process)
  int32_t monitor_pid;  // kSyncPids: pid of the intermediate = the monitor
  int32_t status;       // kSyncExit: the exec'd process's exit code (128 + signal)
  ChildError error;     // kSyncError
};

enum class RootfsDriver { kOverlay, kFuseOverlayfs, kVfs };

struct MountEntry {
  std::string source;       // absolute host path for binds, else fs name
  std::string destination;  // inside the rootfs, absolute
  std::string type;         // fs type, empty for binds
  std::string data;         // comma-joined unknown options
  std::string step;         // "mount proc on"
  unsigned long flags = 0;        // MS_* given to mount(2) (MS_BIND|MS_REC for binds)
  unsigned long propagation = 0;  // MS_PRIVATE|MS_SLAVE|MS_SHARED|MS_UNBINDABLE (+MS_REC)
  bool bind = false;
  bool remount = false;  // bind with ro/nosuid/nodev/noexec/atime: needs a remount
  bool file = false;     // bind source is not a directory: mount point is a file
};

struct NsJoin {
  int nstype;  // CLONE_NEWNET, ...
  std::string path;
};

struct RlimitEntry {
  int resource;
  rlim_t soft, hard;
  std::string step;  // "setrlimit RLIMIT_NOFILE"
};

struct SpawnPlan {
  // Namespaces.
  unsigned long clone_flags = 0;  // CLONE_NEW* for the init
  std::vector<NsJoin> joins;      // existing namespaces, user first
  bool new_user = false, new_uts = false, new_net = false;
  IdMapPlan idmap;
  bool setgroups_allowed = true;  // false: maps written directly without being root

  // Root filesystem.
  RootfsDriver driver = RootfsDriver::kVfs;
  std::string target;
  std::string overlay_data;   // "lowerdir=..,upperdir=..,workdir=..,userxattr"
  std::string overlay_chdir;  // non-empty: chdir here first, overlay_data is relative
  std::vector<std::string> fuse_args;
  std::vector<const char*> fuse_argv;
  unsigned long root_propagation = 0;
  std::vector<MountEntry> mounts;
  std::vector<std::string> devices;  // absolute paths, e.g. /dev/null
  std::vector<std::string> masked, readonly_paths;
  bool root_readonly = false;
  std::string hostname;
  bool terminal = false;
  unsigned short console_rows = 0, console_cols = 0;  // process.consoleSize

  // Process.
  std::vector<RlimitEntry> rlimits;
  uint64_t cap_bounding = 0, cap_effective = 0, cap_permitted = 0, cap_inheritable = 0, cap_ambient = 0;
  int last_cap = 40;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  mode_t umask = 022;
  std::string cwd;
  bool no_new_privs = false;
  std::vector<uint8_t> seccomp_bpf;  // empty: no filter
  std::string exec_fifo;
  std::string arg0;
  std::vector<std::string> candidates;  // paths to try with execve, in order
  std::vector<std::string> args, env;
  std::vector<char*> argv_ptrs, envp_ptrs;

  // File descriptors, opened by Node before the fork (all O_CLOEXEC).
  int sync_w = -1;
  int devnull = -1;
  int stdin_r = -1, stdin_w = -1;    // init reads, monitor writes
  int stdout_r = -1, stdout_w = -1;  // monitor reads, init writes
  int stderr_r = -1, stderr_w = -1;
  int console_init = -1, console_monitor = -1;  // socketpair ends (terminal)
  bool attach = false;                          // hand Node a connected attach client
  int attach_monitor = -1, attach_node = -1;    // its socketpair ends

  // fds 3 .. 2+N of husk's caller, passed on to the process as they are
  // (--preserve-fds, systemd's LISTEN_FDS); the plan's own fds lie above.
  int preserve_fds = 0;

  // exec: the process is started in the joined namespaces and not waited for.
  bool exec_detach = false;

  // The container's cgroup (cgroup.c{c,h}): its cgroup.procs, opened before
  // the fork; the init's cgroup namespace is then made after it is moved in.
  // One per hierarchy: cgroup v1 has a cgroup per controller.
  static constexpr int kMaxCgroups = 12;
  int cgroup_fds[kMaxCgroups] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  int n_cgroup_fds = 0;
  bool unshare_cgroupns = false;

  // Monitor: argv with the appended arguments; the numbers are written into
  // the fixed buffers after the fork.
  std::vector<std::string> monitor_args;
  std::vector<char*> monitor_argv;
  char pid_arg[24] = {0};
  char fds_arg[80] = {0};
  char client_arg[24] = {0};
  std::vector<std::string> environ_copy;
  std::vector<char*> environ_ptrs;
};

// Runs in the first child of Node (P0): setsid, fork P, exit. P creates the
// init, writes its maps, then becomes the monitor. Never returns.
[[noreturn]] void run_intermediate(SpawnPlan& plan);

// `exec`: runs in Node's child E, which joins the container's namespaces
// (plan.joins, user first), forks the process (then inside the container's
// pid namespace), reports its pid, waits for it and reports its exit
// (kSyncExit) unless exec_detach. Never returns.
[[noreturn]] void run_exec(SpawnPlan& plan);

}  // namespace husk
