// createContainer: turns the JS options (an OCI spec plus the rootfs plan)
// into a SpawnPlan, forks the intermediate process and waits for the init to
// report "ready". startContainer: releases the init through the exec FIFO.
// Everything that can allocate or throw happens here, before the fork.
#include "src/spawn.h"
#include "common/child_signals.h"
#include "src/child_plan.h"
#include "src/errors.h"
#include "common/fdpass.h"
#include "common/trace.h"
#include "src/seccomp.h"
#include "src/cgroup.h"
#include <linux/filter.h>
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace husk {
namespace {

// ---------------------------------------------------------------- JS access

[[noreturn]] void Invalid(Napi::Env env, const std::string& what) {
  throw MakeNativeError(env, ("invalid container options: " + what).c_str(), EINVAL);
}

Napi::Object Obj(Napi::Env env, Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsObject()) Invalid(env, std::string(key) + " is not an object");
  return v.As<Napi::Object>();
}

std::string Str(Napi::Env env, Napi::Object o, const char* key, const char* def = nullptr) {
  Napi::Value v = o.Get(key);
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (def && (v.IsUndefined() || v.IsNull())) return def;
  Invalid(env, std::string(key) + " is not a string");
}

bool Bool(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

double Num(Napi::Env env, Napi::Object o, const char* key, double def) {
  Napi::Value v = o.Get(key);
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsUndefined() || v.IsNull()) return def;
  Invalid(env, std::string(key) + " is not a number");
}

std::vector<std::string> Strings(Napi::Env env, Napi::Object o, const char* key) {
  std::vector<std::string> out;
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) Invalid(env, std::string(key) + " is not an array");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) Invalid(env, std::string(key) + " holds a non-string");
    out.push_back(e.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<IdMapping> Mappings(Napi::Env env, Napi::Object linux, const char* key) {
  std::vector<IdMapping> out;
  Napi::Value v = linux.Get(key);
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object m = a.Get(i).As<Napi::Object>();
    out.push_back({unsigned(Num(env, m, "containerID", 0)), unsigned(Num(env, m, "hostID", 0)),
                   unsigned(Num(env, m, "size", 0))});
  }
  return out;
}

// ---------------------------------------------------------------- tables

const char* const kCapNames[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
    "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

uint64_t CapMask(Napi::Env env, Napi::Object caps, const char* key, int last_cap) {
  uint64_t mask = 0;
  for (auto& name : Strings(env, caps, key)) {
    int n = -1;
    for (int i = 0; i < int(sizeof kCapNames / sizeof kCapNames[0]); i++)
      if (name == kCapNames[i]) n = i;
    if (n < 0) Invalid(env, "unknown capability " + name);
    if (n <= last_cap) mask |= uint64_t(1) << n;  // unknown to this kernel: skipped
  }
  return mask;
}

struct NamedInt {
  const char* name;
  int value;
};

const NamedInt kRlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

rlim_t RlimValue(double d) {
  // 2^64-1 (unlimited) is not exact in a double; anything that large is infinity.
  if (d < 0 || d >= 18446744073709549568.0) return RLIM_INFINITY;
  return rlim_t(d);
}

const NamedInt kNamespaces[] = {
    {"user", CLONE_NEWUSER}, {"mount", CLONE_NEWNS},   {"pid", CLONE_NEWPID},
    {"network", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC},  {"uts", CLONE_NEWUTS},
    {"cgroup", CLONE_NEWCGROUP},
};

struct MountOpt {
  const char* name;
  bool clear;
  unsigned long flag;
};

const MountOpt kMountFlags[] = {
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},      {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},        {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},      {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},   {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME}, {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},       {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME}, {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
};

const NamedInt kPropagation[] = {
    {"private", MS_PRIVATE},   {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},       {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},     {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

// ---------------------------------------------------------------- plan

std::string JoinPath(const std::string& a, const std::string& b) {
  if (b.empty()) return a;
  if (b[0] == '/') return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

MountEntry ParseMount(Napi::Env env, Napi::Object m, const std::string& bundle, bool sysfs_as_bind) {
  MountEntry e;
  e.destination = Str(env, m, "destination");
  if (e.destination.empty() || e.destination[0] != '/')
    Invalid(env, "mount destination must be absolute: " + e.destination);
  e.type = Str(env, m, "type", "");
  e.source = Str(env, m, "source", "");
  for (auto& opt : Strings(env, m, "options")) {
    bool known = false;
    for (auto& f : kMountFlags)
      if (opt == f.name) {
        if (f.clear) e.flags &= ~f.flag; else e.flags |= f.flag;
        known = true;
      }
    for (auto& p : kPropagation)
      if (opt == p.name) {
        e.propagation = unsigned(p.value);
        known = true;
      }
    if (!known) e.data += (e.data.empty() ? "" : ",") + opt;
  }
  if (e.type == "bind") e.flags |= MS_BIND;
  // sysfs in a user namespace needs a network namespace of our own; without
  // one (--network host) the host's /sys is bound instead.
  if (e.type == "sysfs" && sysfs_as_bind) {
    e.flags |= MS_BIND | MS_REC;
    e.source = "/sys";
  }
  e.bind = e.flags & MS_BIND;
  if (e.bind) {
    e.source = JoinPath(bundle, e.source);
    e.data.clear();
    e.type.clear();
    e.remount = e.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                           MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME);
    struct stat st;
    e.file = stat(e.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    e.step = "bind mount " + e.source.substr(0, 40) + " on";
  } else {
    e.step = "mount " + e.type.substr(0, 40) + " on";
  }
  return e;
}

// lowerdir=..,upperdir=..,workdir=.. ; relative to `base` when not empty.
std::string OverlayData(const std::vector<std::string>& lower, const std::string& upper,
                        const std::string& work, const std::string& base, bool userxattr,
                        bool volatile_upper = false) {
  auto rel = [&](const std::string& p) { return base.empty() ? p : p.substr(base.size() + 1); };
  std::string s = "lowerdir=";
  for (size_t i = 0; i < lower.size(); i++) s += (i ? ":" : "") + rel(lower[i]);
  if (!upper.empty()) s += ",upperdir=" + rel(upper) + ",workdir=" + rel(work);
  if (userxattr) s += ",userxattr";
  if (volatile_upper) s += ",volatile";
  return s;
}

// The deepest directory containing every path (without a trailing '/').
std::string CommonParent(const std::vector<std::string>& paths) {
  std::string common = paths.empty() ? "" : paths[0].substr(0, paths[0].rfind('/'));
  for (auto& p : paths) {
    while (!common.empty() && p.compare(0, common.size() + 1, common + "/") != 0)
      common = common.substr(0, common.rfind('/'));
  }
  return common;
}

void PlanRootfs(Napi::Env env, SpawnPlan& plan, Napi::Object rootfs) {
  std::string driver = Str(env, rootfs, "driver");
  plan.target = Str(env, rootfs, "target");
  auto lower = Strings(env, rootfs, "lowerDirs");
  std::string upper = Str(env, rootfs, "upperDir", "");
  std::string work = Str(env, rootfs, "workDir", "");
  if (driver == "vfs") {
    plan.driver = RootfsDriver::kVfs;
  } else if (driver == "overlay") {
    plan.driver = RootfsDriver::kOverlay;
    // userxattr: overlayfs keeps its metadata in user.overlay.* xattrs, the
    // only ones writable inside a user namespace (Linux >= 5.11).
    // volatile: no sync of the upper file system at unmount, for a container
    // whose changes are thrown away when it exits (--rm).
    bool volatile_upper = Bool(rootfs, "volatile");
    plan.overlay_data = OverlayData(lower, upper, work, "", true, volatile_upper);
    // mount(2) copies at most one page of options.
    if (plan.overlay_data.size() >= size_t(sysconf(_SC_PAGESIZE)) - 1) {
      std::vector<std::string> all = lower;
      all.push_back(upper);
      all.push_back(work);
      std::string base = CommonParent(all);
      if (base.empty()) Invalid(env, "overlay layer list too long");
      plan.overlay_chdir = base;
      plan.overlay_data = OverlayData(lower, upper, work, base, true, volatile_upper);
      if (plan.overlay_data.size() >= size_t(sysconf(_SC_PAGESIZE)) - 1)
        throw MakeNativeError(env, "overlay options exceed a page even with relative paths", E2BIG);
    }
  } else if (driver == "fuse-overlayfs") {
    plan.driver = RootfsDriver::kFuseOverlayfs;
    plan.fuse_args = {Str(env, rootfs, "fuseOverlayfs", "/usr/bin/fuse-overlayfs"), "-o",
                      OverlayData(lower, upper, work, "", false), plan.target};
    for (auto& a : plan.fuse_args) plan.fuse_argv.push_back(a.c_str());
    plan.fuse_argv.push_back(nullptr);
  } else {
    Invalid(env, "unknown rootfs driver " + driver);
  }
}

int ReadLastCap() {
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 40;
  char buf[16] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  int v = n > 0 ? atoi(buf) : 40;
  return v > 0 && v < 64 ? v : 40;
}

void PlanProcess(Napi::Env env, SpawnPlan& plan, Napi::Object process) {
  plan.terminal = Bool(process, "terminal");
  if (process.Has("consoleSize") && process.Get("consoleSize").IsObject()) {
    Napi::Object size = process.Get("consoleSize").As<Napi::Object>();
    plan.console_rows = (unsigned short)Num(env, size, "height", 0);
    plan.console_cols = (unsigned short)Num(env, size, "width", 0);
  }
  plan.args = Strings(env, process, "args");
  if (plan.args.empty()) Invalid(env, "process.args is empty");
  plan.env = Strings(env, process, "env");
  plan.cwd = Str(env, process, "cwd", "/");
  plan.no_new_privs = Bool(process, "noNewPrivileges");

  Napi::Object user = Obj(env, process, "user");
  plan.uid = uid_t(Num(env, user, "uid", 0));
  plan.gid = gid_t(Num(env, user, "gid", 0));
  plan.umask = mode_t(Num(env, user, "umask", 022));
  plan.groups.push_back(plan.gid);
  Napi::Value extra = user.Get("additionalGids");
  if (extra.IsArray()) {
    Napi::Array a = extra.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      gid_t g = gid_t(a.Get(i).As<Napi::Number>().Uint32Value());
      if (g != plan.gid) plan.groups.push_back(g);
    }
  }

  plan.last_cap = ReadLastCap();
  Napi::Value capsv = process.Get("capabilities");
  if (capsv.IsObject()) {
    Napi::Object caps = capsv.As<Napi::Object>();
    plan.cap_bounding = CapMask(env, caps, "bounding", plan.last_cap);
    plan.cap_effective = CapMask(env, caps, "effective", plan.last_cap);
    plan.cap_permitted = CapMask(env, caps, "permitted", plan.last_cap);
    plan.cap_inheritable = CapMask(env, caps, "inheritable", plan.last_cap);
    plan.cap_ambient = CapMask(env, caps, "ambient", plan.last_cap);
  }

  Napi::Value rl = process.Get("rlimits");
  if (rl.IsArray()) {
    Napi::Array a = rl.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Object r = a.Get(i).As<Napi::Object>();
      std::string type = Str(env, r, "type");
      int res = -1;
      for (auto& k : kRlimits)
        if (type == k.name) res = k.value;
      if (res < 0) Invalid(env, "unknown rlimit " + type);
      plan.rlimits.push_back({res, RlimValue(Num(env, r, "soft", -1)), RlimValue(Num(env, r, "hard", -1)),
                              "setrlimit " + type});
    }
  }

  // execve candidates: args[0] itself when it names a path, else each
  // directory of the container's PATH (the container's, not husk's).
  plan.arg0 = plan.args[0];
  if (plan.arg0.find('/') != std::string::npos) {
    plan.candidates.push_back(plan.arg0);
  } else {
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (auto& e : plan.env)
      if (e.compare(0, 5, "PATH=") == 0) path = e.substr(5);
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find(':', start);
      if (end == std::string::npos) end = path.size();
      std::string dir = path.substr(start, end - start);
      if (dir.empty()) dir = ".";
      plan.candidates.push_back(dir + "/" + plan.arg0);
      start = end + 1;
    }
  }
  for (auto& a : plan.args) plan.argv_ptrs.push_back(const_cast<char*>(a.c_str()));
  plan.argv_ptrs.push_back(nullptr);
  for (auto& e : plan.env) plan.envp_ptrs.push_back(const_cast<char*>(e.c_str()));
  plan.envp_ptrs.push_back(nullptr);
}

// A compiled filter kept in a file named by the caller after the profile's
// content (libseccomp takes most of a millisecond to compile the default).
// Only the user's own runroot holds it; a file that is not whole BPF
// instructions is ignored and replaced.
bool ReadBpfCache(const std::string& path, std::vector<uint8_t>& out) {
  if (path.empty()) return false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            st.st_size % sizeof(struct sock_filter) == 0 && st.st_size <= 65536 * 8;
  if (ok) {
    out.resize(size_t(st.st_size));
    ok = read(fd, out.data(), out.size()) == ssize_t(out.size());
  }
  close(fd);
  if (!ok) out.clear();
  return ok;
}

void WriteBpfCache(const std::string& path, const std::vector<uint8_t>& bpf) {
  if (path.empty() || bpf.empty()) return;
  std::string tmp = path + "." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = write(fd, bpf.data(), bpf.size()) == ssize_t(bpf.size());
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) < 0) unlink(tmp.c_str());
}

void BuildPlan(Napi::Env env, SpawnPlan& plan, Napi::Object opts) {
  Napi::Object spec = Obj(env, opts, "spec");
  Napi::Object linux = Obj(env, spec, "linux");
  std::string bundle = Str(env, opts, "bundle", "/");
  bool use_helpers = Bool(opts, "usernsHelpers");

  // Namespaces: a path means join, none means new. A mount namespace is
  // always new: the init mounts the rootfs.
  bool new_net = false;
  plan.clone_flags = CLONE_NEWNS;
  Napi::Value nsv = linux.Get("namespaces");
  if (nsv.IsArray()) {
    Napi::Array a = nsv.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Object ns = a.Get(i).As<Napi::Object>();
      std::string type = Str(env, ns, "type");
      std::string path = Str(env, ns, "path", "");
      int flag = 0;
      for (auto& k : kNamespaces)
        if (type == k.name) flag = k.value;
      if (!flag) Invalid(env, "unknown namespace type " + type);
      if (!path.empty()) {
        if (flag == CLONE_NEWNS) Invalid(env, "joining a mount namespace is not supported");
        NsJoin j{flag, path};
        if (flag == CLONE_NEWUSER)
          plan.joins.insert(plan.joins.begin(), j);
        else
          plan.joins.push_back(j);
      } else {
        plan.clone_flags |= unsigned(flag);
      }
    }
  }
  plan.new_user = plan.clone_flags & CLONE_NEWUSER;
  plan.new_uts = plan.clone_flags & CLONE_NEWUTS;
  new_net = plan.clone_flags & CLONE_NEWNET;
  plan.new_net = new_net;
  if (plan.new_user) {
    idmap_prepare(plan.idmap, Mappings(env, linux, "uidMappings"), Mappings(env, linux, "gidMappings"),
                  use_helpers);
    // Maps written directly by an unprivileged user require setgroups=deny.
    plan.setgroups_allowed = use_helpers || geteuid() == 0;
  }

  PlanRootfs(env, plan, Obj(env, opts, "rootfs"));
  plan.root_propagation = MS_REC | MS_SLAVE;
  std::string prop = Str(env, linux, "rootfsPropagation", "");
  if (!prop.empty()) {
    plan.root_propagation = 0;
    for (auto& p : kPropagation)
      if (prop == p.name) plan.root_propagation = unsigned(p.value);
    if (!plan.root_propagation) Invalid(env, "unknown rootfsPropagation " + prop);
  }

  // sysfs can be mounted in a user namespace only by the owner of the
  // network namespace: a new one, or a joined one (then the user namespace
  // is joined too, from the same owner).
  bool sysfs_as_bind = plan.new_user && !new_net;
  Napi::Value mv = spec.Get("mounts");
  if (mv.IsArray()) {
    Napi::Array a = mv.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++)
      plan.mounts.push_back(ParseMount(env, a.Get(i).As<Napi::Object>(), bundle, sysfs_as_bind));
  }
  Napi::Value dv = linux.Get("devices");
  if (dv.IsArray()) {
    Napi::Array a = dv.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) plan.devices.push_back(Str(env, a.Get(i).As<Napi::Object>(), "path"));
  }
  plan.masked = Strings(env, linux, "maskedPaths");
  plan.readonly_paths = Strings(env, linux, "readonlyPaths");
  Napi::Value root = spec.Get("root");
  plan.root_readonly = root.IsObject() && Bool(root.As<Napi::Object>(), "readonly");
  plan.hostname = Str(env, spec, "hostname", "");

  PlanProcess(env, plan, Obj(env, spec, "process"));
  Napi::Value sc = linux.Get("seccomp");
  if (sc.IsObject()) {
    std::string cache = Str(env, opts, "seccompCache", "");
    if (!ReadBpfCache(cache, plan.seccomp_bpf)) {
      CompileSeccomp(env, sc.As<Napi::Object>(), plan.seccomp_bpf);
      WriteBpfCache(cache, plan.seccomp_bpf);
    }
  }
  plan.exec_fifo = Str(env, opts, "execFifo");
  PlanCgroup(env, plan, opts);

  plan.monitor_args = Strings(env, opts, "monitorArgv");
  if (plan.monitor_args.empty()) Invalid(env, "monitorArgv is empty");
  for (auto& a : plan.monitor_args) plan.monitor_argv.push_back(const_cast<char*>(a.c_str()));
  static char pid_flag[] = "--pid", stdio_flag[] = "--stdio-fds", console_flag[] = "--console-fd";
  plan.monitor_argv.push_back(pid_flag);
  plan.monitor_argv.push_back(plan.pid_arg);
  plan.monitor_argv.push_back(plan.terminal ? console_flag : stdio_flag);
  plan.monitor_argv.push_back(plan.fds_arg);
  plan.attach = Bool(opts, "attach");
  if (plan.attach) {
    static char client_flag[] = "--client-fd";
    plan.monitor_argv.push_back(client_flag);
    plan.monitor_argv.push_back(plan.client_arg);
  }
  plan.monitor_argv.push_back(nullptr);
  for (char** e = environ; e && *e; e++) plan.environ_copy.push_back(*e);
  for (auto& e : plan.environ_copy) plan.environ_ptrs.push_back(const_cast<char*>(e.c_str()));
  plan.environ_ptrs.push_back(nullptr);
}

// ---------------------------------------------------------------- fds

// Closes the fds createContainer opened, on every exit path.
struct Fds {
  std::vector<int*> all;
  explicit Fds(SpawnPlan& p)
      : all{&p.sync_w, &p.devnull, &p.stdin_r, &p.stdin_w, &p.stdout_r, &p.stdout_w,
            &p.stderr_r, &p.stderr_w, &p.console_init, &p.console_monitor, &p.attach_monitor},
        attach_node(&p.attach_node) {
    for (int& fd : p.cgroup_fds) all.push_back(&fd);
  }
  int sync_r = -1;
  int* attach_node;  // Node's end: handed to JS on success, closed otherwise
  int TakeAttach() {
    int fd = *attach_node;
    *attach_node = -1;
    return fd;
  }
  // The children's fds: after the fork Node keeps only sync_r.
  void CloseChildren() {
    for (int* fd : all)
      if (*fd >= 0) close(*fd), *fd = -1;
  }
  ~Fds() {
    CloseChildren();
    if (sync_r >= 0) close(sync_r);
    if (*attach_node >= 0) close(*attach_node);
  }
};

// Every fd the children get is above 2, so dup2 onto 0..2 never clobbers one.
int High(Napi::Env env, int fd) {
  if (fd < 0 || fd > 2) return fd;
  int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int e = errno;
  close(fd);
  if (n < 0) throw MakeNativeError(env, "fcntl F_DUPFD_CLOEXEC", e);
  return n;
}

void OpenFds(Napi::Env env, SpawnPlan& plan, Fds& fds, bool open_stdin) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
  fds.sync_r = High(env, p[0]);
  plan.sync_w = High(env, p[1]);
  plan.devnull = High(env, open("/dev/null", O_RDWR | O_CLOEXEC));
  if (plan.devnull < 0) throw MakeNativeError(env, "open", errno, "/dev/null");
  if (plan.attach) {
    // The attach client husk run would otherwise connect to the socket: one
    // that exists before the container does, so no output can go unseen.
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) throw MakeNativeError(env, "socketpair", errno);
    plan.attach_monitor = High(env, p[0]);
    plan.attach_node = High(env, p[1]);
  }
  if (plan.terminal) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) throw MakeNativeError(env, "socketpair", errno);
    plan.console_init = High(env, p[0]);
    plan.console_monitor = High(env, p[1]);
    return;
  }
  if (open_stdin) {
    if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
    plan.stdin_r = High(env, p[0]);
    plan.stdin_w = High(env, p[1]);
  }
  if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
  plan.stdout_r = High(env, p[0]);
  plan.stdout_w = High(env, p[1]);
  if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
  plan.stderr_r = High(env, p[0]);
  plan.stderr_w = High(env, p[1]);
}

// Forks a child of Node that runs `child(plan)` and never returns; the pid,
// or -errno. Every signal is blocked across the fork: the child must not run
// Node's handlers (libuv's would write into Node's own signal pipe) before
// it resets them to SIG_DFL, also what Node ignores (SIGPIPE): dispositions
// set to "ignore" survive execve into the container.
// opts.preserveFds: how many fds from 3 on the process gets; each must be
// open here, or the plan's own fds could land among them.
int PreserveFds(Napi::Env env, Napi::Object opts) {
  int n = int(Num(env, opts, "preserveFds", 0));
  if (n < 0 || n > 1024) Invalid(env, "preserveFds out of range");
  for (int fd = 3; fd < 3 + n; fd++)
    if (fcntl(fd, F_GETFD) < 0) throw MakeNativeError(env, "preserve fd", EBADF, std::to_string(fd).c_str());
  return n;
}

pid_t ForkChild(SpawnPlan& plan, void (*child)(SpawnPlan&)) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    ResetSignalsInChild();
    child(plan);
    _exit(125);
  }
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return pid < 0 ? -err : pid;
}

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// ---------------------------------------------------------------- exports

Napi::Value CreateContainer(const Napi::CallbackInfo& info) {
  // Marks go to a duplicate of stderr, only when asked for. Not a high fd
  // number: growing the fd table of a multi-threaded process waits for an
  // RCU grace period (~10 ms), which would show in the very timings.
  if (getenv("HUSK_TRACE")) native_trace_start(fcntl(2, F_DUPFD_CLOEXEC, 3));
  Napi::Env env = info.Env();
  Napi::Object opts = info[0].As<Napi::Object>();
  SpawnPlan plan;
  BuildPlan(env, plan, opts);
  plan.preserve_fds = PreserveFds(env, opts);
  native_trace("plan built");
  int timeout_ms = int(Num(env, opts, "timeoutMs", 30000));
  Fds fds(plan);
  OpenFds(env, plan, fds, Bool(opts, "openStdin"));

  pid_t p0 = ForkChild(plan, run_intermediate);
  if (p0 < 0) throw MakeNativeError(env, "fork", -p0);

  // Only the read end of the sync pipe stays here; closing our write end is
  // what lets EOF tell us the children are gone.
  fds.CloseChildren();
  native_trace("node: forked");
  int sync_r = fds.sync_r;
  while (waitpid(p0, nullptr, 0) < 0 && errno == EINTR) {}
  native_trace("node: P0 reaped");

  SyncRecord rec;
  size_t got = 0;
  pid_t init_pid = -1, monitor_pid = -1;
  int64_t deadline = NowMs() + timeout_ms;
  for (;;) {
    int64_t left = deadline - NowMs();
    if (left <= 0) {
      if (init_pid > 0) kill(init_pid, SIGKILL);
      throw MakeNativeError(env, "create container: waiting for the init", ETIMEDOUT);
    }
    struct pollfd pfd = {sync_r, POLLIN, 0};
    int r = poll(&pfd, 1, int(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw MakeNativeError(env, "poll", errno);
    if (r == 0) continue;
    ssize_t n = read(sync_r, reinterpret_cast<char*>(&rec) + got, sizeof rec - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw MakeNativeError(env, "read sync pipe", errno);
    if (n == 0) {
      // EOF without "ready": a child died without a word.
      if (init_pid > 0) kill(init_pid, SIGKILL);
      throw MakeNativeError(env, "create container", init_pid > 0 ? ECHILD : EPIPE);
    }
    got += size_t(n);
    if (got < sizeof rec) continue;
    got = 0;
    if (rec.kind == kSyncPids) {
      init_pid = rec.init_pid;
      monitor_pid = rec.monitor_pid;
    } else if (rec.kind == kSyncError) {
      if (init_pid > 0) kill(init_pid, SIGKILL);
      rec.error.step[sizeof rec.error.step - 1] = 0;
      rec.error.path[sizeof rec.error.path - 1] = 0;
      throw MakeNativeError(env, rec.error);
    } else if (rec.kind == kSyncReady) {
      native_trace("node: ready received");
      break;
    }
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, init_pid));
  result.Set("monitorPid", Napi::Number::New(env, monitor_pid));
  if (plan.attach) result.Set("attachFd", Napi::Number::New(env, fds.TakeAttach()));
  native_trace("node: returning");
  return result;
}

const struct {
  const char* name;
  int type;
} kNamespaceTypes[] = {{"user", CLONE_NEWUSER}, {"mount", CLONE_NEWNS},  {"pid", CLONE_NEWPID},  {"network", CLONE_NEWNET},
                       {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},   {"cgroup", CLONE_NEWCGROUP}};

// One fd over a unix socket (SCM_RIGHTS), -1 on EOF or error.
int ReceiveFd(int sock) {
  char byte;
  int fd;
  ssize_t n = husk::receive_with_fd(sock, &byte, 1, &fd);
  if (n <= 0 && fd >= 0) close(fd), fd = -1;
  return fd;
}

// An exec'd process's stdin, stdout and stderr: pipes made here, whose
// other ends Node relays to and from its own stdio. Never husk's own fds:
// whatever those are (a directory, a read-only file, a file open for append,
// a terminal), the process could reopen them through /proc/self/fd, climb
// out of a directory with "..", or keep reading a terminal after exec
// returned (podman and docker relay too). stdin is a pipe only with -i,
// else /dev/null; a terminal (-t) or a detached process gets none of them.
// Every end is above 2 (the child moves them onto 0..2), and is closed here
// on every exit path unless handed to JS.
struct ExecStdio {
  int node[3] = {-1, -1, -1};  // stdin write end, stdout and stderr read ends
  ~ExecStdio() {
    for (int fd : node)
      if (fd >= 0) close(fd);
  }
  void Open(Napi::Env env, SpawnPlan& plan, bool open_stdin) {
    int p[2];
    if (open_stdin) {
      if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
      plan.stdin_r = High(env, p[0]);
      node[0] = High(env, p[1]);
    }
    if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
    node[1] = High(env, p[0]);
    plan.stdout_w = High(env, p[1]);
    if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
    node[2] = High(env, p[0]);
    plan.stderr_w = High(env, p[1]);
    // Node's ends only (each end has its own flags): once the process has
    // exited, husk reads its output until the pipe is empty, which must not
    // block when something it left behind holds the pipe open.
    for (int fd : node)
      if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        throw MakeNativeError(env, "fcntl O_NONBLOCK", errno);
  }
  // Node's ends into the result, as stdin/stdout/stderr (those it has).
  void Hand(Napi::Env env, Napi::Object result) {
    const char* names[3] = {"stdin", "stdout", "stderr"};
    for (int i = 0; i < 3; i++) {
      if (node[i] >= 0) result.Set(names[i], Napi::Number::New(env, node[i]));
      node[i] = -1;
    }
  }
};

// execProcess({process, seccomp?, seccompCache, namespaces: [{type, path}],
// stdin, detach}) -> {pid, execPid, syncFd, master? | stdin?, stdout, stderr}:
// starts a process in a running container's namespaces. It returns once the
// process exists (or failed to); `syncFd` then carries an error record if
// its execve fails, and its exit (kSyncExit) unless detached. `pid` is the
// intermediate, to be reaped with reap() once the exit record came. Its
// stdio: see ExecStdio; `master` is a terminal's (-t).
Napi::Value ExecProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = info[0].As<Napi::Object>();
  SpawnPlan plan;
  PlanProcess(env, plan, Obj(env, opts, "process"));
  plan.preserve_fds = PreserveFds(env, opts);
  Napi::Value sc = opts.Get("seccomp");
  if (sc.IsObject()) {
    std::string cache = Str(env, opts, "seccompCache", "");
    if (!ReadBpfCache(cache, plan.seccomp_bpf)) {
      CompileSeccomp(env, sc.As<Napi::Object>(), plan.seccomp_bpf);
      WriteBpfCache(cache, plan.seccomp_bpf);
    }
  }
  Napi::Array ns = opts.Get("namespaces").As<Napi::Array>();
  for (uint32_t i = 0; i < ns.Length(); i++) {
    Napi::Object n = ns.Get(i).As<Napi::Object>();
    std::string type = Str(env, n, "type");
    int t = 0;
    for (auto& k : kNamespaceTypes)
      if (type == k.name) t = k.type;
    if (!t) Invalid(env, "unknown namespace type " + type);
    plan.joins.push_back({t, Str(env, n, "path")});
  }
  plan.exec_detach = Bool(opts, "detach");
  ExecStdio stdio;
  Fds fds(plan);  // the child's ends, closed here after the fork
  plan.devnull = High(env, open("/dev/null", O_RDWR | O_CLOEXEC));
  if (plan.devnull < 0) throw MakeNativeError(env, "open", errno, "/dev/null");
  if (!plan.terminal && !plan.exec_detach) stdio.Open(env, plan, Bool(opts, "stdin"));
  PlanExecCgroup(env, plan, opts);
  int p[2];
  int console_node = -1;
  if (plan.terminal) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) throw MakeNativeError(env, "socketpair", errno);
    plan.console_init = High(env, p[0]);
    console_node = High(env, p[1]);
  }
  if (pipe2(p, O_CLOEXEC) < 0) throw MakeNativeError(env, "pipe", errno);
  int sync_r = High(env, p[0]);
  plan.sync_w = High(env, p[1]);

  pid_t e = ForkChild(plan, run_exec);
  int fork_err = -e;
  fds.CloseChildren();
  if (e < 0) {
    close(sync_r);
    if (console_node >= 0) close(console_node);
    throw MakeNativeError(env, "fork", fork_err);
  }
  // The first record: the process's pid, or why it could not be made.
  SyncRecord rec;
  size_t got = 0;
  while (got < sizeof rec) {
    ssize_t n = read(sync_r, reinterpret_cast<char*>(&rec) + got, sizeof rec - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  int master = -1;
  if (got == sizeof rec && rec.kind == kSyncPids && console_node >= 0) {
    master = ReceiveFd(console_node);
    if (master < 0) {
      // The child died before it had a terminal: its error is on the sync pipe.
      got = 0;
      while (got < sizeof rec) {
        ssize_t n = read(sync_r, reinterpret_cast<char*>(&rec) + got, sizeof rec - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += size_t(n);
      }
      if (got == sizeof rec && rec.kind != kSyncError) rec.kind = 0;
    }
  }
  if (console_node >= 0) close(console_node);
  if (got < sizeof rec || rec.kind != kSyncPids) {
    close(sync_r);
    while (waitpid(e, nullptr, 0) < 0 && errno == EINTR) {}
    if (got == sizeof rec && rec.kind == kSyncError) {
      rec.error.step[sizeof rec.error.step - 1] = 0;
      rec.error.path[sizeof rec.error.path - 1] = 0;
      throw MakeNativeError(env, rec.error);
    }
    throw MakeNativeError(env, "exec", EPIPE);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, e));
  result.Set("execPid", Napi::Number::New(env, rec.init_pid));
  result.Set("syncFd", Napi::Number::New(env, sync_r));
  if (master >= 0) result.Set("master", Napi::Number::New(env, master));
  stdio.Hand(env, result);
  return result;
}

// execResult(buffer) -> exit code: what came on an exec's sync pipe after
// its pid (read to EOF by the caller). Throws the error of a failed execve.
Napi::Value ExecResult(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Buffer<char> buf = info[0].As<Napi::Buffer<char>>();
  int status = -1;
  for (size_t off = 0; off + sizeof(SyncRecord) <= buf.Length(); off += sizeof(SyncRecord)) {
    SyncRecord rec;
    memcpy(&rec, buf.Data() + off, sizeof rec);
    if (rec.kind == kSyncError) {
      rec.error.step[sizeof rec.error.step - 1] = 0;
      rec.error.path[sizeof rec.error.path - 1] = 0;
      throw MakeNativeError(env, rec.error);
    }
    if (rec.kind == kSyncExit) status = rec.status;
  }
  return Napi::Number::New(env, status);
}

// reap(pid) -> exit code: waits for a child execProcess made.
Napi::Value Reap(const Napi::CallbackInfo& info) {
  pid_t pid = pid_t(info[0].As<Napi::Number>().Int32Value());
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return Napi::Number::New(info.Env(), -1);
  }
  return Napi::Number::New(info.Env(), WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

// setWinsize(fd, rows, cols)
void SetWinsize(const Napi::CallbackInfo& info) {
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_row = (unsigned short)info[1].As<Napi::Number>().Uint32Value();
  ws.ws_col = (unsigned short)info[2].As<Napi::Number>().Uint32Value();
  ioctl(info[0].As<Napi::Number>().Int32Value(), TIOCSWINSZ, &ws);
}

// A pid that is gone or a zombie (the monitor has not reaped it yet).
bool Dead(pid_t pid) {
  if (kill(pid, 0) < 0 && errno == ESRCH) return true;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return true;
  buf[n] = 0;
  const char* close_paren = strrchr(buf, ')');
  return close_paren && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

void StartContainer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string fifo = info[0].As<Napi::String>();
  pid_t pid = pid_t(info[1].As<Napi::Number>().Int32Value());
  int timeout_ms = info[2].As<Napi::Number>().Int32Value();

  // Opening the read end releases the init blocked in open(O_WRONLY). A FIFO
  // that never had a writer reports no POLLHUP, so polling before the init
  // got there is safe.
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw MakeNativeError(env, "open exec fifo", errno, fifo.c_str());
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};

  int64_t deadline = NowMs() + timeout_ms;
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int r = poll(&pfd, 1, 50);
    if (r < 0 && errno != EINTR) throw MakeNativeError(env, "poll exec fifo", errno);
    if (r > 0 && (pfd.revents & POLLIN)) {
      ChildError rec;
      size_t got = 0;
      while (got < sizeof rec) {
        ssize_t n = read(fd, reinterpret_cast<char*>(&rec) + got, sizeof rec - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
          struct pollfd w = {fd, POLLIN, 0};
          poll(&w, 1, 100);
          continue;
        }
        if (n <= 0) break;
        got += size_t(n);
      }
      if (got == 0) return;  // EOF: execve closed the FIFO
      if (got < sizeof rec) throw MakeNativeError(env, "start container: short error record", EIO);
      rec.step[sizeof rec.step - 1] = 0;
      rec.path[sizeof rec.path - 1] = 0;
      throw MakeNativeError(env, rec);
    }
    if (r > 0 && (pfd.revents & (POLLHUP | POLLERR))) return;  // writer gone, no data: execve done
    if (Dead(pid)) {
      // Last look: the init may have exec'd and exited between two polls.
      struct pollfd last = {fd, POLLIN, 0};
      if (poll(&last, 1, 0) > 0) continue;
      throw MakeNativeError(env, "start container: the init died", ESRCH);
    }
    if (NowMs() >= deadline) throw MakeNativeError(env, "start container: waiting for exec", ETIMEDOUT);
  }
}

}  // namespace
}  // namespace husk

void RegisterSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("createContainer", Napi::Function::New(env, husk::CreateContainer));
  exports.Set("startContainer", Napi::Function::New(env, husk::StartContainer));
  exports.Set("execProcess", Napi::Function::New(env, husk::ExecProcess));
  exports.Set("reap", Napi::Function::New(env, husk::Reap));
  exports.Set("execResult", Napi::Function::New(env, husk::ExecResult));
  exports.Set("setWinsize", Napi::Function::New(env, husk::SetWinsize));
}
