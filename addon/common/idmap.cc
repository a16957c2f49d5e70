#include "common/idmap.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

void safe_itoa(long value, char* buf, size_t len) {
  char tmp[24];
  size_t n = 0;
  bool neg = value < 0;
  unsigned long v = neg ? -(unsigned long)value : (unsigned long)value;
  do { tmp[n++] = char('0' + v % 10); v /= 10; } while (v && n < sizeof tmp);
  size_t i = 0;
  if (neg && i + 1 < len) buf[i++] = '-';
  while (n && i + 1 < len) buf[i++] = tmp[--n];
  buf[i] = 0;
}

size_t safe_strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void safe_strcpy(char* dst, const char* src, size_t len) {
  size_t i = 0;
  for (; src && src[i] && i + 1 < len; i++) dst[i] = src[i];
  dst[i] = 0;
}

static std::string map_text(const std::vector<IdMapping>& maps) {
  std::string s;
  for (auto& m : maps)
    s += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return s;
}

static std::vector<std::string> map_args(const std::vector<IdMapping>& maps) {
  std::vector<std::string> a;
  for (auto& m : maps) {
    a.push_back(std::to_string(m.container_id));
    a.push_back(std::to_string(m.host_id));
    a.push_back(std::to_string(m.size));
  }
  return a;
}

static void build_argv(std::vector<const char*>& argv, const std::string& prog,
                       char* pid_buf, const std::vector<std::string>& args) {
  argv.clear();
  argv.push_back(prog.c_str());
  argv.push_back(pid_buf);
  for (auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
}

void idmap_prepare(IdMapPlan& plan, const std::vector<IdMapping>& uids,
                   const std::vector<IdMapping>& gids, bool use_helpers,
                   const std::string& newuidmap, const std::string& newgidmap) {
  plan.use_helpers = use_helpers;
  plan.uid_text = map_text(uids);
  plan.gid_text = map_text(gids);
  plan.newuidmap = newuidmap;
  plan.newgidmap = newgidmap;
  plan.uid_args = map_args(uids);
  plan.gid_args = map_args(gids);
  build_argv(plan.uid_argv, plan.newuidmap, plan.pid_buf, plan.uid_args);
  build_argv(plan.gid_argv, plan.newgidmap, plan.pid_buf, plan.gid_args);
}

static int write_proc_file(pid_t pid, const char* name, const char* text, size_t len) {
  char path[64] = "/proc/";
  char num[24];
  safe_itoa(pid, num, sizeof num);
  size_t p = safe_strlen(path);
  for (size_t i = 0; num[i]; i++) path[p++] = num[i];
  path[p++] = '/';
  for (size_t i = 0; name[i]; i++) path[p++] = name[i];
  path[p] = 0;
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t w = write(fd, text, len);
  int err = w < 0 ? errno : 0;
  close(fd);
  return err ? -err : 0;
}

static pid_t start_helper(const std::vector<const char*>& argv) {
  // vfork: the caller may be a copy of all of Node's memory, which a fork
  // would copy again just to exec. The child only touches its own fd table
  // (vfork does not share it) before execve or _exit.
  pid_t child = vfork();
  if (child == 0) {
    // Quiet: the caller turns a failure into one error message.
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    execve(argv[0], const_cast<char* const*>(argv.data()), environ);
    _exit(127);
  }
  return child;
}

static int finish_helper(pid_t child) {
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return -errno;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return -ENOENT;
  return -EPERM;
}

int idmap_apply(IdMapPlan& plan, pid_t pid, const char** step) {
  int r;
  if (plan.use_helpers) {
    // Both setuid helpers at once: each costs an exec and a look at
    // /etc/sub[ug]id, and they touch different files of the target.
    safe_itoa(pid, plan.pid_buf, sizeof plan.pid_buf);
    pid_t uid_helper = start_helper(plan.uid_argv);
    if (uid_helper < 0) {
      *step = "newuidmap";
      return -errno;
    }
    pid_t gid_helper = start_helper(plan.gid_argv);
    int gid_err = gid_helper < 0 ? -errno : 0;
    int uid_r = finish_helper(uid_helper);
    int gid_r = gid_helper < 0 ? gid_err : finish_helper(gid_helper);
    if (uid_r < 0) {
      *step = "newuidmap";
      return uid_r;
    }
    if (gid_r < 0) {
      *step = "newgidmap";
      return gid_r;
    }
    return 0;
  }
  // Without the setuid helpers an unprivileged writer may map only its own
  // ids, and must give up setgroups() first (user_namespaces(7)).
  if (geteuid() != 0) {
    *step = "write setgroups deny";
    if ((r = write_proc_file(pid, "setgroups", "deny", 4)) < 0) return r;
  }
  *step = "write uid_map";
  if ((r = write_proc_file(pid, "uid_map", plan.uid_text.data(), plan.uid_text.size())) < 0) return r;
  *step = "write gid_map";
  if ((r = write_proc_file(pid, "gid_map", plan.gid_text.data(), plan.gid_text.size())) < 0) return r;
  return 0;
}
