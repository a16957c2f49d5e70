// husk-userns: runs a command (untar, merge, rm, exec) inside a new user + mount
// namespace whose id maps are written from the parent namespace, or, without
// --uidmap, directly (rootful).
//
//   husk-userns [--uidmap C:H:N]... [--gidmap C:H:N]... [--helpers] [--] <command> [args]
//
// Exit codes: 0 ok; 1 the command failed (untar/merge/rm); 125 usage or
// namespace setup failed; exec: 126 cannot run, 127 not found. Failures
// other than usage errors are one JSON line on stderr (errors.h).
#include <cerrno>
#include <cstdio>
#include <utility>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "common/idmap.h"
#include "userns/merge.h"
#include "userns/layer_stream.h"
#include "userns/probe.h"
#include "userns/rootfs.h"
#include "userns/untar.h"

namespace {

const char kUsage[] =
    "usage: husk-userns [--uidmap C:H:N]... [--gidmap C:H:N]... [--helpers] [--] <command> [args]\n"
    "commands:\n"
    "  untar <dest> [--ignore-chown-errors] [--blob-fd N]\n"
    "                                         extract a layer (tar, gzip or zstd) from stdin into <dest>;\n"
    "                                         prints its digests; --blob-fd: copy the bytes there\n"
    "  digest                                 print the digests of a layer on stdin (tar, gzip or zstd)\n"
    "  decompress                             a layer on stdin (tar, gzip or zstd) to stdout as a tar\n"
    "  merge <dest> <layer-dir>...            copy overlayfs-format layers (bottom first) into empty <dest>\n"
    "  copyup <dest> <path> <layer-dir>...    copy what the layers (bottom first) show at <path> into\n"
    "                                         <dest> if it is empty (a volume's first mount)\n"
    "  rm <path>...                           remove trees (missing paths are fine)\n"
    "  stat|realpath|archive|extract|changes|layer-tar a container's root file system (cp, export, diff,\n"
    "                                         commit): see rootfs.cc and README.md\n"
    "  probe-overlay <dir>                    whether overlayfs mounts in <dir> as a container's root\n"
    "  exec <program> [args...]               run a program in the namespace\n";

// Namespace setup failed: `message` says what in full.
[[noreturn]] void die(const char* step, int err, const std::string& message) {
  EntryError e;
  e.step = step;
  e.err = err;
  e.reason = message;
  report_error(e, step);
  exit(125);
}

[[noreturn]] void die_errno(const char* step, int err) {
  die(step, err, errstr(step, err));
}

[[noreturn]] void usage_error(const std::string& msg) {
  fprintf(stderr, "husk-userns: %s\n%s", msg.c_str(), kUsage);
  exit(125);
}

bool parse_uint(const std::string& s, unsigned& out) {
  if (s.empty() || s.size() > 10) return false;
  unsigned long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (unsigned)(c - '0');
  }
  if (v > 0xffffffffULL) return false;
  out = (unsigned)v;
  return true;
}

IdMapping parse_map(const char* opt, const std::string& s) {
  IdMapping m{};
  size_t a = s.find(':'), b = a == std::string::npos ? a : s.find(':', a + 1);
  if (b == std::string::npos || !parse_uint(s.substr(0, a), m.container_id) ||
      !parse_uint(s.substr(a + 1, b - a - 1), m.host_id) || !parse_uint(s.substr(b + 1), m.size) ||
      m.size == 0)
    usage_error(std::string(opt) + " " + s + ": expected CONTAINER:HOST:SIZE, e.g. 0:1000:1");
  return m;
}

void raise_nofile() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// How the child writing our id maps failed, sent over a pipe.
struct MapFailure {
  int err;
  char step[64];
};

// Enters a new user + mount namespace. The maps must be written from the
// parent namespace, so a child forked before unshare() waits on a pipe, then
// writes our maps (idmap_apply on getppid()) and exits.
void enter_userns(const std::vector<IdMapping>& uids, const std::vector<IdMapping>& gids,
                  bool helpers) {
  IdMapPlan plan;
  idmap_prepare(plan, uids, gids, helpers);
  int go[2], report[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) die_errno("pipe", errno);
  fflush(nullptr);
  pid_t child = fork();
  if (child < 0) die_errno("fork", errno);
  if (child == 0) {
    close(go[1]);
    close(report[0]);
    char c;
    ssize_t n;
    while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR) {}
    if (n != 1) _exit(2);  // parent gave up
    const char* step = "";
    int r = idmap_apply(plan, getppid(), &step);
    if (r < 0) {
      MapFailure f{-r, {0}};
      snprintf(f.step, sizeof f.step, "%s", step);
      ssize_t w = write(report[1], &f, sizeof f);
      (void)w;
      _exit(1);
    }
    _exit(0);
  }
  close(go[0]);
  close(report[1]);
  int unshare_err = unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ? errno : 0;
  if (!unshare_err) {
    ssize_t w = write(go[1], "x", 1);
    (void)w;
  }
  close(go[1]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  MapFailure f{0, {0}};
  bool told = read(report[0], &f, sizeof f) == (ssize_t)sizeof f;
  close(report[0]);
  if (unshare_err) die("unshare", unshare_err, "user namespace: " + errstr("unshare", unshare_err));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    f.step[sizeof f.step - 1] = 0;
    if (!told) die("write id maps", 0, "user namespace: writing id maps: helper failed");
    die(f.step, f.err, "user namespace: writing id maps: " + errstr(f.step, f.err));
  }

  if (setresgid(0, 0, 0) < 0) {
    int e = errno;
    die("setresgid", e, "user namespace: " + errstr("setresgid(0)", e) + " (is gid 0 mapped?)");
  }
  // setgroups() is allowed unless the maps were written directly by an
  // unprivileged user (then /proc/self/setgroups says "deny").
  char sg[16] = {0};
  int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t r = read(fd, sg, sizeof sg - 1);
    (void)r;
    close(fd);
  }
  if (!strncmp(sg, "allow", 5) && setgroups(0, nullptr) < 0) {
    int e = errno;
    die("setgroups", e, "user namespace: " + errstr("setgroups", e));
  }
  if (setresuid(0, 0, 0) < 0) {
    int e = errno;
    die("setresuid", e, "user namespace: " + errstr("setresuid(0)", e) + " (is uid 0 mapped?)");
  }
  // Keep our mounts (e.g. `exec mount ...`) to ourselves.
  mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
}

// A failure that is no EntryError (std::bad_alloc, ...), about `target`.
EntryError unexpected(const std::string& target, const std::exception& x) {
  EntryError e;
  e.path = target;
  e.reason = x.what();
  return e;
}

// Runs an extraction-like command: one JSON line of counts on success, one
// error line otherwise (exit 1).
template <typename Fn>
int report(const char* cmd, const char* target, Fn fn) {
  try {
    auto [entries, bytes] = fn();
    printf("{\"entries\":%llu,\"bytes\":%llu}\n", entries, bytes);
    fflush(stdout);
    return 0;
  } catch (const EntryError& e) {
    report_error(e, cmd);
  } catch (const std::exception& x) {
    report_error(unexpected(target, x), cmd);
  }
  return 1;
}

// The layer's digests after its stream was read to the end: on success with
// the counts, on failure alone (the caller compares them with what the
// manifest promised: a corrupted blob is reported as such, not as a bad tar).
void print_layer(LayerStream& in, const UntarResult* r) {
  printf("{\"digest\":\"%s\",\"size\":%llu", in.digest().c_str(), (unsigned long long)in.size());
  if (r) {
    printf(",\"diffId\":\"%s\",\"compression\":\"%s\",\"tarSize\":%llu,\"entries\":%llu,\"bytes\":%llu",
           in.diff_id().c_str(), in.compression(), (unsigned long long)in.tar_size(), r->entries, r->bytes);
  }
  printf("}\n");
  fflush(stdout);
}

int cmd_untar(int argc, char** argv) {
  const char* dest = nullptr;
  UntarOptions opts;
  int blob_fd = -1;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--ignore-chown-errors")) opts.ignore_chown_errors = true;
    else if (!strcmp(argv[i], "--blob-fd") && i + 1 < argc) {
      unsigned fd;
      if (!parse_uint(argv[++i], fd) || fd < 3) usage_error("untar: bad --blob-fd");
      blob_fd = (int)fd;
    } else if (!dest) dest = argv[i];
    else usage_error(std::string("untar: unexpected argument ") + argv[i]);
  }
  if (!dest) usage_error("untar: missing <dest>");
  LayerStream in(0, blob_fd);
  EntryError error;
  try {
    UntarResult r = untar(in, dest, opts);
    in.drain(true);
    print_layer(in, &r);
    return 0;
  } catch (const EntryError& e) {
    error = e;
  } catch (const std::exception& x) {
    error = unexpected(dest, x);
  }
  in.drain(false);
  print_layer(in, nullptr);
  report_error(error, "untar");
  return 1;
}

// The digests of a layer on stdin, without extracting it.
int cmd_digest(int argc, char** argv) {
  if (argc != 0) usage_error(std::string("digest: unexpected argument ") + argv[0]);
  LayerStream in(0, -1);
  UntarResult none;
  try {
    const void* p;
    while (in.next(&p) > 0) {
    }
    print_layer(in, &none);
    return 0;
  } catch (const EntryError& e) {
    report_error(e, "digest");
    return 1;
  }
}

// A layer on stdin (tar, gzip or zstd) to stdout as a plain tar.
int cmd_decompress(int argc, char** argv) {
  if (argc != 0) usage_error(std::string("decompress: unexpected argument ") + argv[0]);
  LayerStream in(0, -1);
  try {
    const void* p;
    while (size_t n = in.next(&p)) {
      const char* c = static_cast<const char*>(p);
      while (n > 0) {
        ssize_t w = write(1, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) fail_errno(Label{"(stdout)"}, "write", errno);
        c += w;
        n -= (size_t)w;
      }
    }
    return 0;
  } catch (const EntryError& e) {
    report_error(e, "decompress");
    return 1;
  }
}

int cmd_merge(int argc, char** argv) {
  if (argc < 1) usage_error("merge: missing <dest>");
  if (argc < 2) usage_error("merge: missing <layer-dir>");
  std::vector<std::string> layers(argv + 1, argv + argc);
  return report("merge", argv[0], [&] {
    MergeResult r = merge_layers(argv[0], layers);
    return std::make_pair(r.entries, r.bytes);
  });
}

int cmd_copyup(int argc, char** argv) {
  if (argc < 1) usage_error("copyup: missing <dest>");
  if (argc < 2 || argv[1][0] != '/') usage_error("copyup: missing <path> (absolute)");
  if (argc < 3) usage_error("copyup: missing <layer-dir>");
  std::vector<std::string> layers(argv + 2, argv + argc);
  return report("copyup", argv[0], [&] {
    MergeResult r = copy_up(argv[0], argv[1], layers);
    return std::make_pair(r.entries, r.bytes);
  });
}

int cmd_rm(int argc, char** argv) {
  if (argc == 0) usage_error("rm: missing <path>");
  int rc = 0;
  for (int i = 0; i < argc; i++) {
    try {
      remove_tree(argv[i]);
    } catch (const EntryError& e) {
      report_error(e, "rm");
      rc = 1;
    }
  }
  return rc;
}

int cmd_exec(int argc, char** argv) {
  if (argc == 0) usage_error("exec: missing <program>");
  fflush(nullptr);
  execvp(argv[0], argv);
  int e = errno;
  report_error(EntryError{argv[0], "exec", e, strerror(e), ""}, "exec");
  return e == ENOENT ? 127 : 126;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<IdMapping> uids, gids;
  bool helpers = false;
  int i = 1;
  for (; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&](const char* opt) -> std::string {
      size_t n = strlen(opt);
      if (a.size() > n && a.compare(0, n, opt) == 0 && a[n] == '=') return a.substr(n + 1);
      if (i + 1 >= argc) usage_error(std::string(opt) + " needs a value");
      return argv[++i];
    };
    if (a == "--") { i++; break; }
    if (a == "--helpers") helpers = true;
    else if (a == "--uidmap" || a.rfind("--uidmap=", 0) == 0) uids.push_back(parse_map("--uidmap", value("--uidmap")));
    else if (a == "--gidmap" || a.rfind("--gidmap=", 0) == 0) gids.push_back(parse_map("--gidmap", value("--gidmap")));
    else if (a == "-h" || a == "--help") { fputs(kUsage, stdout); return 0; }
    else if (a.size() > 1 && a[0] == '-') usage_error("unknown option " + a);
    else break;
  }
  if (i >= argc) usage_error("missing <command>");
  if (uids.empty() != gids.empty()) usage_error("--uidmap and --gidmap go together");
  if (helpers && uids.empty()) usage_error("--helpers needs --uidmap/--gidmap");

  std::string cmd = argv[i];
  int rest_argc = argc - i - 1;
  char** rest = argv + i + 1;
  if (cmd != "untar" && cmd != "digest" && cmd != "decompress" && cmd != "merge" && cmd != "copyup" && cmd != "rm" && cmd != "exec" && cmd != "probe-overlay" && !is_rootfs_command(cmd)) usage_error("unknown command " + cmd);

  if (cmd != "exec") raise_nofile();  // deep trees in rm; leave exec's limits alone
  // A running container's root is opened while we are still ourselves.
  if (is_rootfs_command(cmd)) rootfs_prepare(rest_argc, rest);
  if (!uids.empty()) enter_userns(uids, gids, helpers);
  if (is_rootfs_command(cmd)) return rootfs_main(cmd, rest_argc, rest);

  if (cmd == "untar") return cmd_untar(rest_argc, rest);
  if (cmd == "digest") return cmd_digest(rest_argc, rest);
  if (cmd == "decompress") return cmd_decompress(rest_argc, rest);
  if (cmd == "merge") return cmd_merge(rest_argc, rest);
  if (cmd == "copyup") return cmd_copyup(rest_argc, rest);
  if (cmd == "rm") return cmd_rm(rest_argc, rest);
  if (cmd == "probe-overlay") return cmd_probe_overlay(rest_argc, rest);
  return cmd_exec(rest_argc, rest);
}
