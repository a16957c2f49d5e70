// A container's root file system for `cp`, `export`, `diff` and `commit`.
//
// The root is one of:
//   --root-pid PID [--root-pid-start T]   a running (or created) container:
//        /proc/PID/root, opened before the user namespace is entered;
//   --root-dir DIR                        a complete tree (vfs rootfs/, or "/");
//   --lower L... --upper U [--work W --writable] --mountpoint M
//        a stopped container's overlay, mounted on M in a mount namespace of
//        our own: read-only with U as the top lower layer, or read-write
//        with U and W; where the kernel refuses, fuse-overlayfs
//        (--fuse-overlayfs PATH) or, for reading, a merged copy (--scratch D).
// Every path in the root is resolved with openat2(RESOLVE_IN_ROOT): a
// symlink in the container resolves inside the container, never on the
// host; the entries below it are then read or written relative to
// directory fds without following anything.
#include "userns/rootfs.h"
#include "userns/changes.h"
#include "userns/common.h"
#include "userns/layer_stream.h"
#include "userns/merge.h"
#include "userns/tar_writer.h"
#include "userns/untar.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

const uint64_t kInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
const uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

int g_pid_root = -1;  // /proc/PID/root, opened by rootfs_prepare()

[[noreturn]] void usage(const std::string& msg) {
  fprintf(stderr, "husk-userns: %s\n", msg.c_str());
  exit(125);
}

bool parse_num(const char* s, unsigned long long& out) {
  if (!*s) return false;
  char* end;
  errno = 0;
  out = strtoull(s, &end, 10);
  return !*end && !errno;
}

int openat2_res(int dirfd, const std::string& path, int flags, uint64_t resolve) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.resolve = resolve;
  for (;;) {
    long r = syscall(SYS_openat2, dirfd, path.empty() ? "." : path.c_str(), &how, sizeof how);
    if (r >= 0) return (int)r;
    if (errno != EAGAIN && errno != EINTR) return -1;
  }
}

// "/a//b/./c/" -> {"a", "b", "c"}; ".." is kept (resolution clamps it at the root).
std::vector<std::string> split(const std::string& p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string c = p.substr(i, j - i);
    if (!c.empty() && c != ".") out.push_back(c);
    i = j + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& c, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) s += (i ? "/" : "") + c[i];
  return s;
}

struct Bind {
  std::string source, dest;
  bool ro;
};

struct Options {
  // the root
  long long pid = -1;
  std::string pid_start, root_dir, upper, work, mountpoint, fuse, scratch;
  std::vector<std::string> lowers;  // bottom first
  std::vector<Bind> binds;          // a stopped container's volumes and bind mounts
  bool writable = false;
  bool prefer_fuse = false;  // an upper written by fuse-overlayfs: its whiteouts are its own
  // commands
  std::vector<std::string> args;
  bool follow = false, contents = false, beneath = false, full = false;
  std::string name;
  UntarOptions untar;
  std::vector<std::string> exclude;
  long long clamp_mtime = -1;  // layer-tar --mtime
};

Options parse(const std::string& cmd, int argc, char** argv) {
  Options o;
  o.untar.whiteouts = false;
  o.untar.no_overwrite_dir_nondir = true;
  o.untar.skip_overlay_xattrs = true;
  for (int i = 0; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(cmd + ": " + a + " needs a value");
      return argv[++i];
    };
    unsigned long long n;
    if (a == "--root-pid") {
      std::string v = value();
      if (!parse_num(v.c_str(), n) || n == 0) usage(cmd + ": bad --root-pid " + v);
      o.pid = (long long)n;
    } else if (a == "--root-pid-start") o.pid_start = value();
    else if (a == "--root-dir") o.root_dir = value();
    else if (a == "--bind" || a == "--bind-ro") {
      std::string src = value();
      o.binds.push_back(Bind{src, value(), a == "--bind-ro"});
    }
    else if (a == "--lower") o.lowers.push_back(value());
    else if (a == "--upper") o.upper = value();
    else if (a == "--work") o.work = value();
    else if (a == "--mountpoint") o.mountpoint = value();
    else if (a == "--writable") o.writable = true;
    else if (a == "--mtime") {
      std::string v = value();
      if (!parse_num(v.c_str(), n)) usage(cmd + ": bad --mtime " + v);
      o.clamp_mtime = (long long)n;
    }
    else if (a == "--fuse-overlayfs") o.fuse = value();
    else if (a == "--prefer-fuse") o.prefer_fuse = true;
    else if (a == "--scratch") o.scratch = value();
    else if (a == "--follow") o.follow = true;
    else if (a == "--contents") o.contents = true;
    else if (a == "--name") o.name = value();
    else if (a == "--beneath") o.beneath = true;
    else if (a == "--full") o.full = true;
    else if (a == "--exclude") o.exclude.push_back(value());
    else if (a == "--ignore-chown-errors") o.untar.ignore_chown_errors = true;
    else if (a == "--no-chown") o.untar.chown = UntarOptions::Chown::kNone;
    else if (a == "--no-privileges") o.untar.no_privileges = true;
    else if (a == "--chown") {
      std::string v = value();
      size_t c = v.find(':');
      unsigned long long u, g;
      if (c == std::string::npos || !parse_num(v.substr(0, c).c_str(), u) || !parse_num(v.substr(c + 1).c_str(), g))
        usage(cmd + ": bad --chown " + v + ": expected UID:GID");
      o.untar.chown = UntarOptions::Chown::kForce;
      o.untar.uid = (uid_t)u;
      o.untar.gid = (gid_t)g;
    } else if (a.size() > 1 && a[0] == '-') usage(cmd + ": unknown option " + a);
    else o.args.push_back(a);
  }
  return o;
}

// The pid's start time (field 22 of /proc/PID/stat), read through its /proc dir fd.
std::string start_time(int procdir) {
  Fd fd(openat(procdir, "stat", O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return "";
  char buf[1024];
  ssize_t n = read(fd.fd, buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = 0;
  const char* p = strrchr(buf, ')');
  if (!p) return "";
  p += 2;  // the state field
  for (int field = 3; field < 22 && *p; p++)
    if (*p == ' ') field++;
  std::string s;
  while (*p && *p != ' ') s += *p++;
  return s;
}

// The overlay's mount options: lowerdir top first; relative to `base` when given.
std::string overlay_data(const Options& o, const std::string& base, bool userxattr) {
  auto rel = [&](const std::string& p) { return base.empty() ? p : p.substr(base.size() + 1); };
  std::vector<std::string> lower;
  if (!o.writable) lower.push_back(o.upper);
  for (auto it = o.lowers.rbegin(); it != o.lowers.rend(); ++it) lower.push_back(*it);
  std::string s = "lowerdir=";
  for (size_t i = 0; i < lower.size(); i++) s += (i ? ":" : "") + rel(lower[i]);
  if (o.writable) s += ",upperdir=" + rel(o.upper) + ",workdir=" + rel(o.work);
  if (userxattr) s += ",userxattr";
  return s;
}

std::string common_parent(const Options& o) {
  std::vector<std::string> all = o.lowers;
  all.push_back(o.upper);
  if (o.writable) all.push_back(o.work);
  std::string common = all[0].substr(0, all[0].rfind('/'));
  for (auto& p : all)
    while (!common.empty() && p.compare(0, common.size() + 1, common + "/") != 0)
      common = common.substr(0, common.rfind('/'));
  return common;
}

// Unmounts a FUSE mount we made when done, so its daemon exits with us.
struct FuseMount {
  std::string at;
  ~FuseMount() {
    if (!at.empty()) umount2(at.c_str(), MNT_DETACH);
  }
};

int mount_fuse(const Options& o, FuseMount& guard) {
  std::string data = overlay_data(o, "", false);
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
    }
    execl(o.fuse.c_str(), o.fuse.c_str(), "-o", data.c_str(), o.mountpoint.c_str(), (char*)nullptr);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return errno;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return EIO;
  guard.at = o.mountpoint;
  return 0;
}

void private_mount_namespace() {
  // Our mounts stay in a mount namespace of our own, gone when we exit.
  if (unshare(CLONE_NEWNS) < 0) fail_errno(Label{"(mount namespace)"}, "unshare", errno);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
    fail_errno(Label{"(mount namespace)"}, "make / private", errno);
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// The path the kernel gives an open fd.
std::string read_fd_link(int fd) {
  char buf[PATH_MAX];
  ssize_t n = readlink(fd_path(fd).c_str(), buf, sizeof buf);
  if (n < 0 || n >= (ssize_t)sizeof buf) fail_errno(fd_path(fd), "readlink", n < 0 ? errno : ENAMETOOLONG);
  return std::string(buf, (size_t)n);
}

// A stopped container's volumes and bind mounts, where the runtime would
// mount them (the destination resolved inside the root), so that cp sees
// what the running container would. A missing source or mount point is
// skipped: the container shows nothing there either until it runs.
void apply_binds(int root, const std::vector<Bind>& binds) {
  for (const Bind& b : binds) {
    Fd at(openat2_res(root, b.dest, O_PATH, kInRoot));
    if (at.fd < 0) {
      int e = errno;
      warn(b.dest, "mount point", e, errstr("mount point", e) + ", not mounted");
      continue;
    }
    if (mount(b.source.c_str(), fd_path(at.fd).c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      int e = errno;
      warn(b.dest, "bind " + b.source, e, errstr("bind " + b.source, e) + ", not mounted");
      continue;
    }
    if (!b.ro) continue;
    // The new mount's own root, for the remount; flags the kernel locked stay.
    Fd top(openat2_res(root, b.dest, O_PATH, kInRoot));
    struct statvfs sv;
    unsigned long keep = 0;
    if (top.fd >= 0 && fstatvfs(top.fd, &sv) == 0) {
      if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
      if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
      if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    }
    if (top.fd < 0 || mount(nullptr, fd_path(top.fd).c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) < 0)
      fail_errno(b.dest, "remount read-only", errno);
  }
}

Fd open_root_plain(const Options& o, FuseMount& fuse);

// The root directory of the container as an O_PATH fd.
Fd open_root(const Options& o, FuseMount& fuse) {
  if (o.pid > 0) {
    if (g_pid_root < 0) usage("--root-pid: not opened");  // rootfs_prepare() failed to
    return Fd(g_pid_root);
  }
  Fd root = open_root_plain(o, fuse);
  apply_binds(root.fd, o.binds);
  return root;
}

Fd open_root_plain(const Options& o, FuseMount& fuse) {
  if (!o.root_dir.empty()) {
    // Opened after the unshare: binds made in our namespace must show through it.
    if (!o.binds.empty()) private_mount_namespace();
    Fd fd(open(o.root_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.fd < 0) fail_errno(o.root_dir, "open root", errno);
    return fd;
  }
  if (o.upper.empty() || o.lowers.empty() || o.mountpoint.empty() || (o.writable && o.work.empty()))
    usage("a root is needed: --root-pid, --root-dir, or --lower.. --upper --mountpoint (--work with --writable)");
  private_mount_namespace();
  // userxattr always: the runtime mounts the containers' overlays so (rootful too).
  std::string data = overlay_data(o, "", true);
  unsigned long flags = o.writable ? 0 : MS_RDONLY;
  long page = sysconf(_SC_PAGESIZE);
  // fuse-overlayfs marks opaque directories with a .wh..wh..opq file where it
  // cannot set xattrs, which kernel overlayfs would show as a file.
  int err = o.prefer_fuse && !o.fuse.empty() ? mount_fuse(o, fuse) : -1;
  if (err == 0) {
  } else if ((err = 0), (long)data.size() >= page - 1) {
    // mount(2) copies one page of options: paths relative to their common parent.
    std::string base = common_parent(o);
    Fd cwd(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (base.empty() || chdir(base.c_str()) < 0) fail(o.mountpoint, "overlay layer list too long");
    data = overlay_data(o, base, true);
    if (mount("overlay", o.mountpoint.c_str(), "overlay", flags, data.c_str()) < 0) err = errno;
    if (cwd.fd >= 0 && fchdir(cwd.fd) < 0) {}
  } else if (mount("overlay", o.mountpoint.c_str(), "overlay", flags, data.c_str()) < 0) {
    err = errno;
  }
  if (err && !o.prefer_fuse && !o.fuse.empty() && mount_fuse(o, fuse) == 0) err = 0;
  if (err && !o.writable && !o.scratch.empty()) {
    // Nothing mounts here: a merged copy of the layers and the upper, read from.
    std::vector<std::string> layers = o.lowers;
    layers.push_back(o.upper);
    merge_layers(o.scratch.c_str(), layers);
    Fd fd(open(o.scratch.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.fd < 0) fail_errno(o.scratch, "open", errno);
    return fd;
  }
  if (err) fail_errno(o.mountpoint, "mount overlay", err);
  Fd fd(open(o.mountpoint.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fd.fd < 0) fail_errno(o.mountpoint, "open root", errno);
  return fd;
}

// A path in the root, its last component not followed.
struct Resolved {
  Fd parent;             // O_PATH fd of the directory holding it
  std::string name;      // "." for the root itself
  std::string parent_path;
  bool parent_ok = false;  // the parent exists and is a directory
  bool exists = false;
  struct stat st {};
};

Resolved resolve(int root, const std::string& path) {
  Resolved r;
  std::vector<std::string> c = split(path);
  if (c.empty() || c.back() == "..") {
    // The root, or a directory named through "..": resolved whole.
    r.parent.reset(openat2_res(root, join(c, c.size()), O_PATH | O_DIRECTORY, kInRoot));
    r.name = ".";
  } else {
    r.parent_path = join(c, c.size() - 1);
    r.parent.reset(openat2_res(root, r.parent_path, O_PATH | O_DIRECTORY, kInRoot));
    r.name = c.back();
  }
  if (r.parent.fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) fail_errno(path, "resolve", errno);
    return r;
  }
  r.parent_ok = true;
  if (fstatat(r.parent.fd, r.name.c_str(), &r.st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno != ENOENT) fail_errno(path, "stat", errno);
    return r;
  }
  r.exists = true;
  return r;
}

// The same with a final symlink followed (inside the root).
Resolved resolve_follow(int root, std::string path) {
  for (int hops = 0;; hops++) {
    Resolved r = resolve(root, path);
    if (!r.exists || !S_ISLNK(r.st.st_mode)) return r;
    if (hops >= 40) fail_errno(path, "resolve", ELOOP);
    std::string target((size_t)r.st.st_size + 1, '\0');
    ssize_t n = readlinkat(r.parent.fd, r.name.c_str(), &target[0], target.size());
    if (n < 0 && errno == ENOENT) {
      // procfs' self links name a process that is not in that pid namespace.
      r.exists = false;
      return r;
    }
    if (n < 0) fail_errno(path, "readlink", errno);
    target.resize((size_t)n);
    path = !target.empty() && target[0] == '/' ? target : r.parent_path + "/" + target;
  }
}

const char* type_name(const struct stat& st) {
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: return "dir";
    case S_IFREG: return "file";
    case S_IFLNK: return "symlink";
    default: return "other";
  }
}

int cmd_stat(const Options& o, int root) {
  if (o.args.size() != 1) usage("stat: expected one <path>");
  const std::string& path = o.args[0];
  Resolved r = resolve(root, path);
  std::string out = "{\"parentDir\":" + std::string(r.parent_ok ? "true" : "false") +
                    ",\"exists\":" + (r.exists ? "true" : "false");
  if (r.exists) {
    out += ",\"type\":\"" + std::string(type_name(r.st)) + "\"";
    if (S_ISLNK(r.st.st_mode)) {
      Resolved f = resolve_follow(root, path);
      out += ",\"followed\":\"" + std::string(f.exists ? type_name(f.st) : "missing") + "\"";
    }
  }
  printf("%s}\n", out.c_str());
  fflush(stdout);
  return 0;
}

// Where a path leads inside the root: the deepest part of it that exists,
// every symlink followed inside the root, as the root names it ("real"),
// its type, and the components below it that do not exist ("missing").
// The builder writes a COPY's files there, so /bin/x in an image whose /bin
// is a link to usr/bin lands in usr/bin, as docker puts it.
int cmd_realpath(const Options& o, int root) {
  if (o.args.size() != 1) usage("realpath: expected one <path>");
  std::vector<std::string> c = split(o.args[0]);
  std::string root_path = read_fd_link(root);
  for (size_t i = c.size() + 1; i-- > 0;) {
    Fd fd(openat2_res(root, join(c, i), O_PATH, kInRoot));
    if (fd.fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      fail_errno(o.args[0], "resolve", errno);
    }
    struct stat st;
    if (fstat(fd.fd, &st) < 0) fail_errno(o.args[0], "stat", errno);
    std::string real = read_fd_link(fd.fd);
    if (root_path != "/") {
      if (real.compare(0, root_path.size(), root_path) != 0) fail(o.args[0], "resolved outside the root");
      real = real.substr(root_path.size());
    }
    if (real.empty()) real = "/";
    std::string missing;
    for (size_t k = i; k < c.size(); k++) missing += (k > i ? "," : "") + json_string(c[k]);
    printf("{\"real\":%s,\"type\":\"%s\",\"missing\":[%s]}\n", json_string(real).c_str(), type_name(st), missing.c_str());
    fflush(stdout);
    return 0;
  }
  fail_errno(o.args[0], "resolve", ENOENT);
}

int cmd_archive(const Options& o, int root) {
  if (o.args.size() != 1) usage("archive: expected one <path>");
  const std::string& path = o.args[0];
  Resolved r = o.follow ? resolve_follow(root, path) : resolve(root, path);
  if (!r.exists) fail_errno(path, "resolve", ENOENT, "no such file or directory");
  TarWriter w(1);
  if (o.contents || (r.name == "." && o.name.empty())) {
    if (!S_ISDIR(r.st.st_mode)) fail(path, "not a directory");
    Fd d(openat(r.parent.fd, r.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (d.fd < 0) fail_errno(path, "open directory", errno);
    struct stat st;
    if (fstat(d.fd, &st) < 0) fail_errno(path, "stat", errno);
    w.children(d.fd, "", st.st_dev);
  } else {
    w.tree(r.parent.fd, r.name.c_str(), o.name.empty() ? r.name : o.name, r.st);
  }
  w.finish();
  return 0;
}

int cmd_extract(const Options& o, int root) {
  if (o.args.size() != 1) usage("extract: expected one <dest>");
  const std::string& dest = o.args[0];
  Fd base;
  std::string prefix;
  uint64_t how;
  if (o.beneath) {
    // A host directory: entries never leave it, whatever its symlinks say.
    base.reset(open(dest.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    how = kBeneath;
  } else {
    base.reset(openat2_res(root, dest, O_PATH | O_DIRECTORY, kInRoot));
    prefix = join(split(dest), split(dest).size());
    how = kInRoot;
  }
  if (base.fd < 0) {
    int e = errno;
    fail_errno(dest, "open", e,
               e == ENOENT ? "no such directory" : e == ENOTDIR ? "not a directory" : errstr("open", e));
  }
  LayerStream in(0, -1);
  UntarResult res = untar_at(in, o.beneath ? base.fd : root, prefix, base.fd, how, o.untar);
  in.drain(false);
  printf("{\"entries\":%llu,\"bytes\":%llu}\n", res.entries, res.bytes);
  fflush(stdout);
  return 0;
}

ChangeOptions change_options(const Options& o, const char* cmd) {
  ChangeOptions c;
  if (!o.args.empty()) usage(std::string(cmd) + ": unexpected argument " + o.args[0]);
  if (o.upper.empty() == o.root_dir.empty()) usage(std::string(cmd) + ": give --upper DIR or --root-dir DIR (with --full)");
  c.dir = o.upper.empty() ? o.root_dir : o.upper;
  c.full = o.full;
  c.lowers = o.lowers;
  c.exclude.insert(o.exclude.begin(), o.exclude.end());
  return c;
}

int cmd_changes(const Options& o) {
  for (const Change& c : list_changes(change_options(o, "changes")))
    printf("{\"kind\":\"%c\",\"path\":%s}\n", c.kind, json_string(c.path).c_str());
  fflush(stdout);
  return 0;
}

int cmd_layer_tar(const Options& o) {
  ChangeOptions c = change_options(o, "layer-tar");
  TarWriter w(1);
  if (o.clamp_mtime >= 0) w.clamp_mtime(o.clamp_mtime);
  write_layer(c, w);
  w.finish();
  return 0;
}

}  // namespace

bool is_rootfs_command(const std::string& cmd) {
  return cmd == "stat" || cmd == "realpath" || cmd == "archive" || cmd == "extract" || cmd == "changes" || cmd == "layer-tar";
}

void rootfs_prepare(int argc, char** argv) {
  Options o = parse("rootfs", argc, argv);
  if (o.pid <= 0) return;
  std::string dir = "/proc/" + std::to_string(o.pid);
  try {
    Fd proc(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (proc.fd < 0) {
      int e = errno;
      fail_errno(dir, "open", e, std::string("the container's process is gone (") + strerror(e) + ")");
    }
    // The same process as when husk looked: a pid can be reused.
    if (!o.pid_start.empty() && start_time(proc.fd) != o.pid_start)
      fail_step(dir, "start time", "the container's process is gone");
    g_pid_root = openat(proc.fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g_pid_root < 0) {
      int e = errno;
      fail_errno(dir + "/root", "open", e, strerror(e));
    }
  } catch (const EntryError& e) {
    report_error(e, "open root");
    exit(1);
  }
}

int rootfs_main(const std::string& cmd, int argc, char** argv) {
  try {
    Options o = parse(cmd, argc, argv);
    if (cmd == "changes") return cmd_changes(o);
    if (cmd == "layer-tar") return cmd_layer_tar(o);
    umask(0);
    FuseMount fuse;
    // A host directory (extract --beneath) is its own root.
    Fd root = cmd == "extract" && o.beneath ? Fd() : open_root(o, fuse);
    if (cmd == "stat") return cmd_stat(o, root.fd);
    if (cmd == "realpath") return cmd_realpath(o, root.fd);
    if (cmd == "archive") return cmd_archive(o, root.fd);
    return cmd_extract(o, root.fd);
  } catch (const EntryError& e) {
    report_error(e, cmd.c_str());
  } catch (const std::exception& x) {
    EntryError e;
    e.reason = x.what();
    report_error(e, cmd.c_str());
  }
  return 1;
}
