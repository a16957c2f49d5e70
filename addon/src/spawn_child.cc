// Code that runs after fork: the intermediate process P (which becomes the
// monitor) and the container's init C. Only raw system calls on the plan that
// spawn.cc prepared before the fork: no allocation, no C++ library calls that
// allocate, no V8, no locks, no stdio. Errors leave as a SyncRecord on the sync
// pipe ({step, errno, path}), then the process exits with 125.
#include "src/child_plan.h"
#include "src/cgroup.h"
#include "common/fdpass.h"
#include "common/trace.h"

#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <initializer_list>
#include <termios.h>
#include <unistd.h>

namespace husk {
namespace {

// ---------------------------------------------------------------- helpers

void write_all(int fd, const void* buf, size_t len) {
  const char* p = static_cast<const char*>(buf);
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += w;
    len -= size_t(w);
  }
}

void zero(void* p, size_t n) {
  volatile char* c = static_cast<volatile char*>(p);
  for (size_t i = 0; i < n; i++) c[i] = 0;
}

void send_error(int fd, const char* step, int err, const char* path) {
  SyncRecord r;
  zero(&r, sizeof r);
  r.kind = kSyncError;
  child_error_fill(&r.error, step, err, path);
  write_all(fd, &r, sizeof r);
}

// "/proc/self/fd/<n>" into buf (at least 32 bytes).
void fd_path(char* buf, int fd) {
  const char prefix[] = "/proc/self/fd/";
  size_t i = 0;
  for (; prefix[i]; i++) buf[i] = prefix[i];
  safe_itoa(fd, buf + i, 24);
}

// Moves fd above 2 so that dup2 onto 0..2 cannot clobber it; keeps CLOEXEC.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  return n < 0 ? fd : n;
}

// Closes every fd from 3 up but those in `keep` (-1 and 0..2 ignored); false
// when that failed. Between fork and execve nothing else may stay open: not
// Node's own fds, nor any that husk's caller left open. A directory of the
// host among them is a way out of the container through /proc/self/fd
// (CVE-2024-21626), for its process and for any path resolved in it.
// Those below `first` (0..2, and the fds preserved for the process) stay.
bool close_fds_except(std::initializer_list<int> keep, unsigned first = 3) {
  int sorted[8];
  size_t n = 0;
  for (int fd : keep) {
    if (fd < int(first)) continue;
    if (n == sizeof sorted / sizeof sorted[0]) return false;
    size_t i = n++;
    for (; i > 0 && sorted[i - 1] > fd; i--) sorted[i] = sorted[i - 1];
    sorted[i] = fd;
  }
  unsigned from = first;
  for (size_t i = 0; i < n; i++) {
    unsigned fd = unsigned(sorted[i]);
    if (fd > from && syscall(SYS_close_range, from, fd - 1, 0) < 0) return false;
    if (fd >= from) from = fd + 1;
  }
  return syscall(SYS_close_range, from, ~0U, 0) == 0;
}

// The preserved fds (3 .. first-1) go through execve: whatever flags they came with.
void pass_preserved_fds(unsigned first) {
  for (unsigned fd = 3; fd < first; fd++) fcntl(int(fd), F_SETFD, 0);
}

// fork() without glibc's atfork machinery, for use after the first fork.
pid_t raw_fork(unsigned long flags) {
  return pid_t(syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0));
}

// F -> init: an errno (0: mounted) and then the detached mount, SCM_RIGHTS.
void send_mount(int sock, int err, int mnt) {
  int32_t e = err;
  husk::send_with_fd(sock, &e, sizeof e, err ? -1 : mnt);
}

// The mount fd send_mount sent, or -1 with *err set (left as is on EOF).
int receive_mount(int sock, int* err) {
  int32_t e = 0;
  int fd;
  if (husk::receive_with_fd(sock, &e, sizeof e, &fd) != ssize_t(sizeof e)) {
    if (fd >= 0) close(fd);
    return -1;
  }
  if (e || fd < 0) {
    if (e) *err = e;
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// ---------------------------------------------------------------- the init

struct Init {
  SpawnPlan& plan;
  int sync;  // write end of the sync pipe
  int rootfd = -1;
  int fifo = -1;
  int fuse_sock = -1;  // fuse-overlayfs: where F sends the mount (run_fuse_mounter)

  [[noreturn]] void fail(const char* step, int err, const char* path = nullptr) {
    send_error(sync, step, err, path);
    _exit(125);
  }

  // Opens `path` (absolute, inside the rootfs) as O_PATH without leaving the
  // rootfs: symlinks resolve as if rootfd were "/" (RESOLVE_IN_ROOT). Missing
  // components are created as directories, the last one as an empty file when
  // `file`; a symlink whose target is missing (an image's `/data -> /srv/data`)
  // has its target created, inside the rootfs, as runc does. Returns the fd or
  // -errno.
  int open_in_root(const char* path, bool create, bool file) {
    struct open_how how;
    zero(&how, sizeof how);
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = int(syscall(SYS_openat2, rootfd, path, &how, sizeof how));
    if (fd >= 0 || errno != ENOENT || !create) return fd >= 0 ? fd : -errno;

    // Walk component by component, creating what is missing. A dangling
    // symlink on the way restarts the walk on its target (+ the rest).
    char cur[4096];
    size_t n = 0;
    for (; path[n]; n++) {
      if (n + 1 >= sizeof cur) return -ENAMETOOLONG;
      cur[n] = path[n];
    }
    cur[n] = 0;
    for (int hops = 0; hops <= 40; hops++) {
      char prefix[4096];
      size_t plen = 0;
      int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
      if (parent < 0) return -errno;
      const char* p = cur;
      bool restart = false;
      while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char* start = p;
        while (*p && *p != '/') p++;
        size_t clen = size_t(p - start);
        const char* rest = p;
        while (*rest == '/') rest++;
        bool last = !*rest;
        size_t parent_len = plen;
        if (plen + clen + 2 >= sizeof prefix) {
          close(parent);
          return -ENAMETOOLONG;
        }
        prefix[plen++] = '/';
        for (size_t i = 0; i < clen; i++) prefix[plen++] = start[i];
        prefix[plen] = 0;
        char name[256];
        if (clen >= sizeof name) {
          close(parent);
          return -ENAMETOOLONG;
        }
        for (size_t i = 0; i < clen; i++) name[i] = start[i];
        name[clen] = 0;

        int next = int(syscall(SYS_openat2, rootfd, prefix, &how, sizeof how));
        if (next < 0 && errno == ENOENT) {
          int r;
          if (last && file) {
            r = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (r >= 0) close(r);
          } else {
            r = mkdirat(parent, name, 0755);
          }
          if (r < 0 && errno != EEXIST) {
            int e = errno;
            close(parent);
            return -e;
          }
          next = int(syscall(SYS_openat2, rootfd, prefix, &how, sizeof how));
          if (next < 0 && errno == ENOENT) {
            // It exists but does not resolve: a dangling symlink. Continue
            // with its target, then the rest of the path.
            char target[4096];
            ssize_t tl = readlinkat(parent, name, target, sizeof target - 1);
            if (tl <= 0) {
              close(parent);
              return -ENOENT;
            }
            char np[4096];
            size_t m = 0;
            if (target[0] != '/') {
              for (size_t i = 0; i < parent_len; i++) np[m++] = prefix[i];
              np[m++] = '/';
            }
            for (ssize_t i = 0; i < tl && m + 1 < sizeof np; i++) np[m++] = target[i];
            if (*rest && m + 1 < sizeof np) np[m++] = '/';
            for (const char* q = rest; *q && m + 1 < sizeof np; q++) np[m++] = *q;
            if (m + 1 >= sizeof np) {
              close(parent);
              return -ENAMETOOLONG;
            }
            np[m] = 0;
            for (size_t i = 0; i <= m; i++) cur[i] = np[i];
            restart = true;
            break;
          }
        }
        int e = errno;
        close(parent);
        if (next < 0) return -e;
        parent = next;
      }
      if (!restart) return parent;
      close(parent);
    }
    return -ELOOP;
  }

  // Remount a bind mount with `flags` (MS_RDONLY, MS_NOSUID, ...). In a user
  // namespace the kernel refuses to clear flags locked by the more privileged
  // mount we copied (ro, nosuid, nodev, noexec, atime), so keep those the
  // source already has (statfs f_flags of the new mount).
  int remount_bind(const char* path, unsigned long flags, bool atime_given) {
    struct statfs st;
    if (statfs(path, &st) < 0) return -errno;
    unsigned long keep = 0;
    if (st.f_flags & ST_RDONLY) keep |= MS_RDONLY;
    if (st.f_flags & ST_NOSUID) keep |= MS_NOSUID;
    if (st.f_flags & ST_NODEV) keep |= MS_NODEV;
    if (st.f_flags & ST_NOEXEC) keep |= MS_NOEXEC;
    if (!atime_given) {
      if (st.f_flags & ST_NOATIME) keep |= MS_NOATIME;
      if (st.f_flags & ST_NODIRATIME) keep |= MS_NODIRATIME;
      if (st.f_flags & ST_RELATIME) keep |= MS_RELATIME;
    }
    if (mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | flags | keep, nullptr) < 0) return -errno;
    return 0;
  }

  // The FUSE daemon must be no process of the container: in its pid
  // namespace the container's root could see and kill it, and pid 1 (an
  // --init) would inherit it. So F, forked by P outside, mounts it and
  // sends the mount here as a detached mount (open_tree): attached on the
  // target, it is the only mount of that file system.
  void attach_fuse_mount(const char* target) {
    int err = EIO;  // F died without a word
    int mnt = receive_mount(fuse_sock, &err);
    if (mnt < 0) fail("mount fuse-overlayfs on", err, target);
    if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
      fail("attach fuse-overlayfs mount on", errno, target);
    close(mnt);
    close(fuse_sock);
  }

  void mount_rootfs() {
    const char* target = plan.target.c_str();
    switch (plan.driver) {
      case RootfsDriver::kOverlay:
        // Long layer lists exceed the page the kernel copies the options
        // into: spawn.cc then made the paths relative to overlay_chdir.
        if (!plan.overlay_chdir.empty() && chdir(plan.overlay_chdir.c_str()) < 0)
          fail("chdir to", errno, plan.overlay_chdir.c_str());
        if (mount("overlay", target, "overlay", 0, plan.overlay_data.c_str()) < 0)
          fail("mount overlay on", errno, target);
        break;
      case RootfsDriver::kVfs:
        if (mount(target, target, nullptr, MS_BIND | MS_REC, nullptr) < 0)
          fail("bind mount rootfs on", errno, target);
        break;
      case RootfsDriver::kFuseOverlayfs:
        attach_fuse_mount(target);
        break;
    }
    if (chdir("/") < 0) fail("chdir to", errno, "/");
    // Open the root only now: an fd opened before the mount would point at
    // the directory underneath it.
    rootfd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail("open rootfs", errno, target);
  }

  void do_mount(const MountEntry& m) {
    const char* dst = m.destination.c_str();
    int fd = open_in_root(dst, true, m.bind && m.file);
    if (fd < 0) fail("create mount point", -fd, dst);
    char fdp[40];
    fd_path(fdp, fd);
    const char* data = m.data.empty() ? nullptr : m.data.c_str();
    // A bind takes only MS_BIND|MS_REC; its other flags need the remount.
    unsigned long flags = m.bind ? m.flags & (MS_BIND | MS_REC) : m.flags;
    if (mount(m.source.c_str(), fdp, m.bind ? nullptr : m.type.c_str(), flags, data) < 0)
      fail(m.step.c_str(), errno, dst);
    close(fd);
    if (!m.remount && !m.propagation) return;
    // The fd above names the directory under the new mount; remount and
    // propagation changes need the mount's own root, so look it up again.
    fd = open_in_root(dst, false, false);
    if (fd < 0) fail(m.step.c_str(), -fd, dst);
    fd_path(fdp, fd);
    if (m.remount) {
      unsigned long f = m.flags & ~(MS_BIND | MS_REC);
      bool atime = f & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME);
      int r = -ENOSYS;
      if (m.flags & MS_REC) {
        // rbind: the flags must reach every submount. mount_setattr only
        // sets the attributes given, so locked ones are kept by itself.
        struct mount_attr attr;
        zero(&attr, sizeof attr);
        if (f & MS_RDONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
        if (f & MS_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
        if (f & MS_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
        if (f & MS_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
        if (!atime && attr.attr_set)
          r = syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0 ? -errno : 0;
      }
      if (r == -ENOSYS) r = remount_bind(fdp, f, atime);
      if (r < 0) fail("remount read-only/flags", -r, dst);
    }
    if (m.propagation && mount(nullptr, fdp, nullptr, m.propagation, nullptr) < 0)
      fail("set mount propagation of", errno, dst);
    close(fd);
  }

  // Device nodes: bind the host's node onto an empty file (mknod is not
  // allowed in a user namespace; done the same way as root for simplicity).
  void create_devices() {
    char fdp[40];
    for (auto& d : plan.devices) {
      int fd = open_in_root(d.c_str(), true, true);
      if (fd < 0) fail("create device", -fd, d.c_str());
      fd_path(fdp, fd);
      if (mount(d.c_str(), fdp, nullptr, MS_BIND, nullptr) < 0) fail("bind device", errno, d.c_str());
      close(fd);
    }
    int dev = open_in_root("/dev", false, false);
    if (dev < 0) return;  // no /dev at all: nothing to link
    static const char* const links[][2] = {
        {"pts/ptmx", "ptmx"},           {"/proc/self/fd", "fd"},
        {"/proc/self/fd/0", "stdin"},   {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"},  {"/proc/kcore", "core"},
    };
    for (auto& l : links) {
      // The O_PATH fd of /dev works as dirfd; EEXIST: the image brought one.
      if (symlinkat(l[0], dev, l[1]) < 0 && errno != EEXIST) fail("symlink /dev/", errno, l[1]);
    }
    close(dev);
  }

  void pivot() {
    const char* target = plan.target.c_str();
    if (chdir(target) < 0) fail("chdir to", errno, target);
    // pivot_root(".", "."): the old root ends up stacked on top of the new
    // one at "/"; detaching it leaves the new root alone, with no directory
    // needed for the old root inside the container.
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root into", errno, target);
    if (umount2(".", MNT_DETACH) < 0) fail("unmount old root", errno);
    if (chdir("/") < 0) fail("chdir to", errno, "/");
  }

  void mask_paths() {
    // The container's /dev/null (a bind of the host's from create_devices):
    // an fd of the host's own would point at a mount outside our tree now.
    const char* devnull = "/dev/null";
    for (auto& p : plan.masked) {
      struct stat st;
      if (stat(p.c_str(), &st) < 0) {
        if (errno == ENOENT) continue;
        fail("mask path", errno, p.c_str());
      }
      int r = S_ISDIR(st.st_mode) ? mount("tmpfs", p.c_str(), "tmpfs", MS_RDONLY, "size=0k")
                                  : mount(devnull, p.c_str(), nullptr, MS_BIND, nullptr);
      if (r < 0) fail("mask path", errno, p.c_str());
    }
    for (auto& p : plan.readonly_paths) {
      if (mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        if (errno == ENOENT) continue;
        fail("bind read-only path", errno, p.c_str());
      }
      int r = remount_bind(p.c_str(), MS_RDONLY, false);
      if (r < 0) fail("remount read-only", -r, p.c_str());
    }
  }

  void setup_terminal() {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail("open /dev/ptmx", errno);
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) fail("unlockpt", errno);
    unsigned n = 0;
    if (ioctl(master, TIOCGPTN, &n) < 0) fail("ptsname", errno);
    char path[40] = "/dev/pts/";
    safe_itoa(long(n), path + 9, 24);
    int slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) fail("open", errno, path);
    // The size is set before the program starts: a resize that reaches the
    // monitor later would come after its first look at the terminal.
    if (plan.console_rows && plan.console_cols) {
      struct winsize ws;
      zero(&ws, sizeof ws);
      ws.ws_row = plan.console_rows;
      ws.ws_col = plan.console_cols;
      if (ioctl(master, TIOCSWINSZ, &ws) < 0) fail("set terminal size", errno);
    }

    // Hand the master to the monitor over the console socket.
    char byte = 'T';
    if (husk::send_with_fd(plan.console_init, &byte, 1, master) < 0) fail("send console fd", errno);
    close(master);

    if (setsid() < 0) fail("setsid", errno);
    if (ioctl(slave, TIOCSCTTY, 0) < 0) fail("set controlling terminal", errno);
    slave = above_stdio(slave);
    for (int i = 0; i < 3; i++)
      if (dup2(slave, i) < 0) fail("dup2 terminal", errno);
  }

  // A new network namespace starts with its loopback down: up it goes, as in
  // every runtime, so that a container can reach what it serves on 127.0.0.1.
  void loopback_up() {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) fail("socket for bringing up", errno, "lo");
    struct ifreq ifr;
    zero(&ifr, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("read the flags of", errno, "lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("bring up", errno, "lo");
    close(s);
  }

  // stdin, stdout and stderr: the pipes husk made for it (the monitor's, or
  // for exec husk's own), /dev/null where there is none. Never an fd of
  // husk's caller.
  void setup_stdio() {
    int in = above_stdio(plan.stdin_r >= 0 ? plan.stdin_r : plan.devnull);
    int out = above_stdio(plan.stdout_w >= 0 ? plan.stdout_w : plan.devnull);
    int err = above_stdio(plan.stderr_w >= 0 ? plan.stderr_w : plan.devnull);
    // The new session also detaches the process from husk's process group.
    setsid();
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) fail("dup2 stdio", errno);
  }

  void apply_seccomp() {
    struct sock_fprog prog;
    prog.len = (unsigned short)(plan.seccomp_bpf.size() / sizeof(struct sock_filter));
    prog.filter = reinterpret_cast<struct sock_filter*>(plan.seccomp_bpf.data());
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) fail("seccomp", errno);
  }

  void set_creds_and_caps() {
    // Bounding set first: dropping needs CAP_SETPCAP, which we still hold.
    for (int c = 0; c <= plan.last_cap; c++)
      if (!(plan.cap_bounding & (uint64_t(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
        fail("prctl PR_CAPBSET_DROP", errno);
    // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: do it
    // while we still have it (before setresuid/capset).
    if (!plan.no_new_privs && !plan.seccomp_bpf.empty()) apply_seccomp();
    if (plan.setgroups_allowed &&
        setgroups(plan.groups.size(), plan.groups.data()) < 0)
      fail("setgroups", errno);
    // Keep the permitted set across the uid change, then set it exactly.
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_KEEPCAPS", errno);
    if (setresgid(plan.gid, plan.gid, plan.gid) < 0) fail("setresgid", errno);
    if (setresuid(plan.uid, plan.uid, plan.uid) < 0) fail("setresuid", errno);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
      data[i].effective = uint32_t(plan.cap_effective >> (32 * i));
      data[i].permitted = uint32_t(plan.cap_permitted >> (32 * i));
      data[i].inheritable = uint32_t(plan.cap_inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &hdr, data) < 0) fail("capset", errno);
    for (int c = 0; c <= plan.last_cap; c++)
      if ((plan.cap_ambient & (uint64_t(1) << c)) &&
          prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
        fail("prctl PR_CAP_AMBIENT_RAISE", errno);
    umask(plan.umask);
  }

  // The working directory, resolved inside the container's root: through a
  // magic link (/proc/self/fd/N, /proc/N/cwd) a path can name a directory of
  // the host, and a process started there is out of the container
  // (CVE-2024-21626). As the container's user: its permissions apply. The
  // kernel's getcwd() confirms the result: a directory the root cannot
  // reach reads "(unreachable)...", as runc checks too.
  void enter_cwd() {
    const char* cwd = plan.cwd.c_str();
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) fail("open", errno, "/");
    struct open_how how;
    zero(&how, sizeof how);
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int dir = int(syscall(SYS_openat2, root, cwd, &how, sizeof how));
    int err = errno;
    close(root);
    if (dir < 0) fail("chdir to", err, cwd);
    if (fchdir(dir) < 0) fail("chdir to", errno, cwd);
    close(dir);
    char buf[4096];
    long n = syscall(SYS_getcwd, buf, sizeof buf);
    if (n < 0) fail("chdir to", errno, cwd);
    if (buf[0] != '/') fail("chdir to", EXDEV, cwd);
  }

  // What the container's process gets, the init's and exec's alike: rlimits,
  // credentials and capabilities, working directory, no_new_privs and the
  // seccomp filter (last, so it need not allow what the setup does).
  void setup_process() {
    for (auto& r : plan.rlimits) {
      struct rlimit rl = {r.soft, r.hard};
      if (setrlimit(r.resource, &rl) < 0) fail(r.step.c_str(), errno);
    }
    set_creds_and_caps();
    enter_cwd();
    if (plan.no_new_privs) {
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_NO_NEW_PRIVS", errno);
      if (!plan.seccomp_bpf.empty()) apply_seccomp();
    }
  }

  // `exec`: a process in a running container's namespaces (already joined),
  // set up as the container's own: same credentials, capabilities,
  // no_new_privs and seccomp filter.
  [[noreturn]] void exec_process() {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // its fds point at the host until execve
    if (plan.terminal) {
      // A terminal of the container's own devpts (ttyname works inside), its
      // master handed to husk over the console socket.
      setup_terminal();
    } else {
      setup_stdio();
    }
    // From here on 0..2 and the sync pipe (CLOEXEC: execve closes it, which
    // tells success) are all it has, before any path of the container is
    // resolved for it.
    const unsigned first = 3 + unsigned(plan.preserve_fds);
    if (!close_fds_except({sync}, first)) fail("close inherited fds", errno);
    setup_process();
    // Whatever was opened since, execve must not pass on.
    syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC);
    pass_preserved_fds(first);
    int e = ENOENT;
    for (auto& c : plan.candidates) {
      execve(c.c_str(), plan.argv_ptrs.data(), plan.envp_ptrs.data());
      int x = errno;
      if (x == ENOENT || x == ENOTDIR) continue;
      if (e == ENOENT || x == EACCES) e = x;
    }
    send_error(sync, "exec", e, plan.arg0.c_str());
    _exit(e == ENOENT ? 127 : 126);
  }

  [[noreturn]] void run(int go_r) {
    // Wait for P: it writes our uid/gid maps first.
    char go = 0;
    ssize_t n;
    while ((n = read(go_r, &go, 1)) < 0 && errno == EINTR) {}
    if (n != 1) _exit(125);  // P died or failed; it reported the error
    close(go_r);
    // P has moved us into the container's cgroup: the namespace is rooted there.
    if (plan.unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0) fail("unshare cgroup namespace", errno);
    // Not dumpable: nothing in the container may ptrace us or open our
    // /proc entries (our fds point at the host) until execve. Only now:
    // while the maps were written, /proc/<pid> had to stay owned by the user
    // (newuidmap checks that).
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (plan.new_user) {
      if (setresgid(0, 0, 0) < 0) fail("setresgid to root in the user namespace", errno);
      if (setresuid(0, 0, 0) < 0) fail("setresuid to root in the user namespace", errno);
    }

    // Nothing we mount may propagate back to the host.
    if (mount(nullptr, "/", nullptr, plan.root_propagation, nullptr) < 0)
      fail("set propagation of", errno, "/");
    native_trace("init: go");
    mount_rootfs();
    native_trace("init: rootfs mounted");
    for (auto& m : plan.mounts) do_mount(m);
    create_devices();
    native_trace("init: mounts done");
    // The FIFO lives on the host: open it while the host is still visible.
    fifo = open(plan.exec_fifo.c_str(), O_PATH | O_CLOEXEC);
    if (fifo < 0) fail("open exec fifo", errno, plan.exec_fifo.c_str());
    pivot();
    mask_paths();  // after pivot: the container's /proc and /sys are in place
    native_trace("init: pivoted and masked");
    if (plan.root_readonly) {
      int r = remount_bind("/", MS_RDONLY, false);
      if (r < 0) fail("remount / read-only", -r);
    }
    if (plan.new_net) loopback_up();
    if (plan.new_uts && !plan.hostname.empty() &&
        sethostname(plan.hostname.data(), plan.hostname.size()) < 0)
      fail("sethostname", errno, plan.hostname.c_str());
    if (plan.terminal)
      setup_terminal();
    else
      setup_stdio();
    // Before the working directory is resolved: nothing of Node's or its
    // caller's may be reachable through /proc/self/fd.
    const unsigned first = 3 + unsigned(plan.preserve_fds);
    if (!close_fds_except({sync, fifo, g_native_trace.fd}, first)) fail("close inherited fds", errno);
    setup_process();

    // The FIFO must be reachable through the container's /proc: a
    // non-blocking open without a reader fails with ENXIO, which proves it.
    char fifo_path[40];
    fd_path(fifo_path, fifo);
    int probe = open(fifo_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (probe >= 0)
      close(probe);
    else if (errno != ENXIO)
      fail("open exec fifo", errno, fifo_path);

    native_trace("init: ready");
    SyncRecord ready;
    zero(&ready, sizeof ready);
    ready.kind = kSyncReady;
    write_all(sync, &ready, sizeof ready);
    // Keep only 0, 1, 2, the preserved fds and the FIFO (O_PATH, CLOEXEC).
    if (unsigned(fifo) > first) syscall(SYS_close_range, first, fifo - 1, 0);
    syscall(SYS_close_range, fifo + 1, ~0U, 0);
    pass_preserved_fds(first);
    // Dumpable again: nothing of the host is open any more but the FIFO, and
    // husk-net, pasta and slirp4netns must open /proc/<pid>/ns/{user,net}
    // (a non-dumpable task's are root's) to build the network before start.
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

    // A name no program has: while it waits here, ps -a can tell a created
    // container from one whose start a killed husk left half-recorded.
    prctl(PR_SET_NAME, "husk-created", 0, 0, 0);
    // Blocks until startContainer opens the read end (runc's exec.fifo).
    int w;
    while ((w = open(fifo_path, O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR) {}
    if (w < 0) _exit(125);
    close(fifo);

    // Like execvp: EACCES wins over ENOENT; any other error is remembered.
    int err = ENOENT;
    for (auto& c : plan.candidates) {
      execve(c.c_str(), plan.argv_ptrs.data(), plan.envp_ptrs.data());
      int e = errno;
      if (e == ENOENT || e == ENOTDIR) continue;
      if (err == ENOENT || e == EACCES) err = e;
    }
    ChildError rec;
    zero(&rec, sizeof rec);
    child_error_fill(&rec, "exec", err, plan.arg0.c_str());
    write_all(w, &rec, sizeof rec);
    _exit(err == ENOENT ? 127 : 126);
  }
};

// ---------------------------------------------------------------- F

// Runs fuse-overlayfs on the target and waits until it daemonized, which it
// does once the mount is live. 0 or an errno.
int start_fuse_overlayfs(SpawnPlan& plan) {
  pid_t pid = raw_fork(0);
  if (pid < 0) return errno;
  if (pid == 0) {
    // Valid 0..2: it daemonizes with dup2(/dev/null) onto them, which
    // would close a layer fd that landed on a free low number.
    for (int i = 0; i < 3; i++) dup2(plan.devnull, i);
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);  // the daemon keeps none of ours
    execve(plan.fuse_argv[0], const_cast<char* const*>(plan.fuse_argv.data()), plan.environ_ptrs.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return errno;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ENOENT : EIO;
}

// In the init's user namespace (rootless: `userns`, an fd of it) and a
// mount namespace of our own: fuse-overlayfs mounts on the target there,
// and the mount leaves as a detached copy in *mnt. 0 or an errno.
int mount_fuse_detached(SpawnPlan& plan, int userns, int* mnt) {
  if (userns >= 0 && setns(userns, CLONE_NEWUSER) < 0) return errno;
  // A mount namespace of our own, not the init's: the daemon's mount shows
  // nowhere but in the copy we send, and the init's pivot_root would move
  // the daemon's root onto its own mount (it would deadlock on itself).
  if (unshare(CLONE_NEWNS) < 0) return errno;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return errno;
  const char* target = plan.target.c_str();
  int err = start_fuse_overlayfs(plan);
  if (err) return err;
  int fd = int(syscall(SYS_open_tree, AT_FDCWD, target, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  err = fd < 0 ? errno : 0;
  // Our copy goes at once: with the init's the only mount left, the daemon
  // exits when the container's mount namespace is gone.
  if (umount2(target, MNT_DETACH) < 0 && !err) err = errno;
  if (err) {
    if (fd >= 0) close(fd);
    return err;
  }
  *mnt = fd;
  return 0;
}

// P's child F: the container's fuse-overlayfs, started from outside its pid
// namespace (once it daemonized, the daemon's parent is the host's init).
[[noreturn]] void run_fuse_mounter(SpawnPlan& plan, int userns, int sock) {
  int mnt = -1;
  int err = mount_fuse_detached(plan, userns, &mnt);
  send_mount(sock, err, mnt);
  _exit(err ? 1 : 0);
}

// ---------------------------------------------------------------- P

[[noreturn]] void fail_p(SpawnPlan& plan, pid_t init, const char* step, int err, const char* path = nullptr) {
  send_error(plan.sync_w, step, err, path);
  if (init > 0) kill(init, SIGKILL);
  _exit(125);
}

// Appends ",<n>" (or "<n>" when first) to buf.
void append_num(char* buf, size_t len, long n, bool comma) {
  size_t i = safe_strlen(buf);
  if (comma && i + 1 < len) buf[i++] = ',';
  safe_itoa(n, buf + i, len - i);
}

// The init's user namespace for F, or -1 without one. Opened while the
// init still waits for "go": released, it makes itself non-dumpable, and
// its /proc/<pid>/ns is then closed to the unprivileged user.
int open_userns_of(SpawnPlan& plan, pid_t init) {
  if (!plan.new_user) return -1;
  char path[48] = "/proc/";
  safe_itoa(init, path + 6, 24);
  const char tail[] = "/ns/user";
  size_t n = safe_strlen(path);
  for (size_t i = 0; i < sizeof tail; i++) path[n + i] = tail[i];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_p(plan, init, "open user namespace", errno, path);
  return fd;
}

// Starts F (run_fuse_mounter); the init waits for its mount, and the
// monitor that P becomes reaps it.
void fork_fuse_mounter(SpawnPlan& plan, pid_t init, int userns, int fuse[2]) {
  pid_t f = raw_fork(0);
  if (f < 0) fail_p(plan, init, "fork fuse-overlayfs", errno);
  if (f == 0) run_fuse_mounter(plan, userns, fuse[1]);
  if (userns >= 0) close(userns);
  close(fuse[0]);
  close(fuse[1]);
}

[[noreturn]] void run_p(SpawnPlan& plan) {
  // Existing namespaces: the user namespace first, as it grants the
  // capabilities needed to join the others.
  for (auto& j : plan.joins) {
    int fd = open(j.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail_p(plan, 0, "open namespace", errno, j.path.c_str());
    if (setns(fd, j.nstype) < 0) fail_p(plan, 0, "setns", errno, j.path.c_str());
    close(fd);
  }
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) fail_p(plan, 0, "pipe", errno);
  int fuse[2] = {-1, -1};  // [0] the init's end, [1] F's
  if (plan.driver == RootfsDriver::kFuseOverlayfs &&
      socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fuse) < 0)
    fail_p(plan, 0, "socketpair", errno);

  native_trace("P: started");
  pid_t init = raw_fork(plan.clone_flags);
  if (init < 0) fail_p(plan, 0, "clone", errno);
  if (init == 0) {
    close(go[1]);
    Init c{plan, plan.sync_w};
    if (fuse[1] >= 0) close(fuse[1]);  // F's death must read as EOF
    c.fuse_sock = fuse[0];
    c.run(go[0]);
  }
  native_trace("P: cloned init");
  close(go[0]);
  // Before the init runs anything of the image: its devices are confined from the start.
  if (int r = join_cgroup(plan, init)) fail_p(plan, init, "join cgroup", -r);

  SyncRecord pids;
  zero(&pids, sizeof pids);
  pids.kind = kSyncPids;
  pids.init_pid = init;
  pids.monitor_pid = getpid();
  write_all(plan.sync_w, &pids, sizeof pids);

  if (plan.new_user) {
    const char* step = "write id maps";
    int r = idmap_apply(plan.idmap, init, &step);
    if (r < 0) fail_p(plan, init, step, -r);
  }
  native_trace("P: id maps written");
  int userns = fuse[1] >= 0 ? open_userns_of(plan, init) : -1;
  char g = 'g';
  if (write(go[1], &g, 1) != 1) fail_p(plan, init, "release init", errno);
  close(go[1]);
  if (fuse[1] >= 0) fork_fuse_mounter(plan, init, userns, fuse);

  // Become the monitor. It must not hold husk's terminal: 0..2 = /dev/null;
  // of everything else it inherits only the fds named in its arguments.
  safe_itoa(init, plan.pid_arg, sizeof plan.pid_arg);
  int keep[3] = {-1, -1, -1};
  if (plan.terminal) {
    keep[0] = above_stdio(plan.console_monitor);
  } else {
    keep[0] = above_stdio(plan.stdin_w);
    keep[1] = above_stdio(plan.stdout_r);
    keep[2] = above_stdio(plan.stderr_r);
  }
  int client = plan.attach ? above_stdio(plan.attach_monitor) : -1;
  int devnull = above_stdio(plan.devnull);
  for (int i = 0; i < 3; i++)
    if (dup2(devnull, i) < 0) fail_p(plan, init, "dup2 /dev/null", errno);
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  for (int k : keep)
    if (k >= 0) fcntl(k, F_SETFD, 0);
  if (client >= 0) {
    fcntl(client, F_SETFD, 0);
    safe_itoa(client, plan.client_arg, sizeof plan.client_arg);
  }
  plan.fds_arg[0] = 0;
  if (plan.terminal) {
    safe_itoa(keep[0], plan.fds_arg, sizeof plan.fds_arg);
  } else {
    for (int i = 0; i < 3; i++) append_num(plan.fds_arg, sizeof plan.fds_arg, keep[i], i > 0);
  }
  execve(plan.monitor_argv[0], plan.monitor_argv.data(), plan.environ_ptrs.data());
  fail_p(plan, init, "exec monitor", errno, plan.monitor_argv[0]);
}

}  // namespace

[[noreturn]] void run_exec(SpawnPlan& plan) {
  // Into the container's cgroup first (the process forked below inherits it),
  // while we are still the host's root in the host's namespaces.
  if (int r = join_cgroup(plan, 0)) {
    send_error(plan.sync_w, "join cgroup", -r, nullptr);
    _exit(125);
  }
  // E keeps only what the plan names: not husk's ends of the process's pipes
  // (the process would never see EOF), not husk's stdio (it waits here as
  // long as the process runs, in the container's namespaces), nothing else
  // of Node's or its caller's. (The cgroup fd has done its work.)
  for (int i = 0; i < 3; i++) dup2(plan.devnull, i);
  if (!close_fds_except({plan.sync_w, plan.devnull, plan.console_init, plan.stdin_r, plan.stdout_w, plan.stderr_w}, 3 + unsigned(plan.preserve_fds))) {
    send_error(plan.sync_w, "close inherited fds", errno, nullptr);
    _exit(125);
  }
  // Every namespace is opened first: once in the container's mount namespace,
  // /proc/<pid>/ns/... would be looked up in the container's /proc.
  int fds[16];
  size_t n = plan.joins.size() < 16 ? plan.joins.size() : 16;
  for (size_t i = 0; i < n; i++) {
    fds[i] = open(plan.joins[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) {
      send_error(plan.sync_w, "open namespace", errno, plan.joins[i].path.c_str());
      _exit(125);
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (setns(fds[i], plan.joins[i].nstype) < 0) {
      send_error(plan.sync_w, "setns", errno, plan.joins[i].path.c_str());
      _exit(125);
    }
    close(fds[i]);
  }
  // After setns(CLONE_NEWPID) only children are in the container's pid namespace.
  pid_t child = raw_fork(0);
  if (child < 0) {
    send_error(plan.sync_w, "fork", errno, nullptr);
    _exit(125);
  }
  if (child == 0) {
    Init c{plan, plan.sync_w};
    c.exec_process();
  }
  SyncRecord r;
  zero(&r, sizeof r);
  r.kind = kSyncPids;
  r.init_pid = child;
  write_all(plan.sync_w, &r, sizeof r);
  if (plan.exec_detach) _exit(0);
  if (plan.console_init >= 0) close(plan.console_init);  // EOF for husk if the child dies first
  // Our copies of its stdio must not keep a terminal or pipe open after it.
  for (int fd : {plan.stdin_r, plan.stdout_w, plan.stderr_w})
    if (fd >= 0 && fd != plan.sync_w) close(fd);
  int st = 0;
  while (waitpid(child, &st, 0) < 0 && errno == EINTR) {}
  r.kind = kSyncExit;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  write_all(plan.sync_w, &r, sizeof r);
  _exit(0);
}

[[noreturn]] void run_intermediate(SpawnPlan& plan) {
  // P0: a new session, so the monitor is detached from husk's terminal and
  // process group; P0 exits at once so the monitor is not Node's child.
  setsid();
  pid_t p = fork();
  if (p < 0) {
    send_error(plan.sync_w, "fork", errno, nullptr);
    _exit(125);
  }
  if (p > 0) _exit(0);
  run_p(plan);
}

}  // namespace husk
