// The outbound program (pasta or slirp4netns): a child that dies with us,
// and the wait until it has configured the namespace (README.md, "Outbound
// readiness").
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

namespace husk {
namespace {

constexpr int kChildReadyFd = 3;  // where the readiness pipe is in the child

const char* Name(const Outbound& o) {
  const char* slash = strrchr(o.argv[0], '/');
  return slash ? slash + 1 : o.argv[0];
}

void SetErr(char* err, size_t len, const Outbound& o, const char* what, long long n) {
  char num[24];
  FormatInt(num, n);
  err[0] = 0;
  strncat(err, "outbound ", len - 1);
  strncat(err, Name(o), len - strlen(err) - 1);
  strncat(err, ": ", len - strlen(err) - 1);
  strncat(err, what, len - strlen(err) - 1);
  if (n >= 0) strncat(err, num, len - strlen(err) - 1);
}

// Status text of an exited child, for the error line.
void SetExitErr(char* err, size_t len, const Outbound& o, int status) {
  if (WIFSIGNALED(status)) {
    SetErr(err, len, o, "killed by signal ", WTERMSIG(status));
  } else {
    SetErr(err, len, o, "exited with status ", WEXITSTATUS(status));
  }
}

[[noreturn]] void ExecChild(Outbound& o, pid_t parent, int ready_w, int gate) {
  // The signal mask and SIGPIPE's disposition survive execve: give the
  // program a clean slate.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // we died before the prctl
  char go;
  if (gate >= 0 && read(gate, &go, 1) != 1) _exit(0);  // hold: our namespaces were not made
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(2, 1);
  int first_closed = 3;
  if (ready_w >= 0) {
    dup2(ready_w, kChildReadyFd);  // no O_CLOEXEC on the copy
    first_closed = kChildReadyFd + 1;
  }
  close_range((unsigned)first_closed, ~0U, 0);
  execvp(o.argv[0], o.argv);
  int e = errno;
  WriteStr(2, "husk-net: exec ");
  WriteStr(2, o.argv[0]);
  WriteStr(2, ": ");
  WriteStr(2, strerror(e));
  WriteStr(2, "\n");
  _exit(127);
}

bool PidFileReady(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[32];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  // pasta opens (truncates) the file early and writes "PID\n" at the end of
  // its setup: only a whole line counts.
  return n > 1 && buf[n - 1] == '\n';
}

// SIGTERM/SIGINT while waiting: true.
bool DrainSignals(int sig_fd) {
  struct signalfd_siginfo si;
  bool term = false;
  while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) term = true;
  }
  return term;
}

}  // namespace

// An inotify fd that wakes us when a file in path's directory is written:
// pasta writes its pid file once it is configured. -1 if inotify fails
// (then the 10 ms look is all there is).
int WatchDirOf(const char* path) {
  char dir[4096];
  size_t n = strlen(path);
  if (n >= sizeof dir) return -1;
  memcpy(dir, path, n + 1);
  char* slash = strrchr(dir, '/');
  if (!slash) return -1;
  if (slash == dir) slash[1] = 0; else *slash = 0;
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return -1;
  if (inotify_add_watch(fd, dir, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool StartOutbound(Outbound& o, int gate, char* err, size_t err_len) {
  int p[2] = {-1, -1};
  if (o.fd_arg) {
    if (pipe2(p, O_CLOEXEC) < 0) {
      SetErr(err, err_len, o, strerror(errno), -1);
      return false;
    }
    // slirp4netns --ready-fd=K writes "1" once the namespace is configured.
    char** argv = (char**)calloc((size_t)o.argc + 2, sizeof(char*));
    memcpy(argv, o.argv, (size_t)o.argc * sizeof(char*));
    argv[o.argc] = (char*)"--ready-fd=3";
    o.argv = argv;
    o.argc++;
    o.ready_fd = p[0];
  } else {
    unlink(o.pid_file);  // a stale one would read as ready
    o.ready_fd = WatchDirOf(o.pid_file);
  }
  pid_t parent = getpid();
  o.pid = fork();
  if (o.pid == 0) ExecChild(o, parent, p[1], gate);
  int e = errno;
  if (p[1] >= 0) close(p[1]);
  if (o.pid < 0) {
    SetErr(err, err_len, o, strerror(e), -1);
    return false;
  }
  return true;
}

// Until the program says it is ready, exits, or kOutboundReadyMs pass.
bool WaitOutboundReady(Outbound& o, int sig_fd, char* err, size_t err_len) {
  long long deadline = MonotonicMs() + kOutboundReadyMs;
  for (;;) {
    struct pollfd pfd[2] = {{sig_fd, POLLIN, 0}, {o.ready_fd, POLLIN, 0}};
    long long left = deadline - MonotonicMs();
    if (left <= 0) {
      SetErr(err, err_len, o, "not ready after 10 s", -1);
      return false;
    }
    // The pid file: woken by inotify when its directory is written, and a look every 10 ms.
    int timeout = o.fd_arg ? (int)left : (int)(left < 10 ? left : 10);
    int r = poll(pfd, o.ready_fd >= 0 ? 2 : 1, timeout);
    if (r < 0 && errno != EINTR) {
      SetErr(err, err_len, o, strerror(errno), -1);
      return false;
    }
    if (pfd[0].revents && DrainSignals(sig_fd)) {
      SetErr(err, err_len, o, "interrupted by a signal", -1);
      return false;
    }
    if (o.fd_arg && pfd[1].revents) {
      char c;
      if (read(o.ready_fd, &c, 1) == 1) {
        close(o.ready_fd);
        o.ready_fd = -1;
        return true;
      }
      // EOF: the program exited or closed it. Its fds close before it
      // becomes a zombie, so give waitpid a moment to tell which.
      for (int i = 0; i < 100; i++) {
        int status;
        if (waitpid(o.pid, &status, WNOHANG) == o.pid) {
          o.pid = -1;
          SetExitErr(err, err_len, o, status);
          return false;
        }
        usleep(10000);
      }
      SetErr(err, err_len, o, "closed its ready fd", -1);
      return false;
    }
    int status;
    if (waitpid(o.pid, &status, WNOHANG) == o.pid) {
      o.pid = -1;
      SetExitErr(err, err_len, o, status);
      return false;
    }
    if (!o.fd_arg && o.ready_fd >= 0 && pfd[1].revents) {
      char events[4096];
      while (read(o.ready_fd, events, sizeof events) > 0) {}
    }
    if (!o.fd_arg && PidFileReady(o.pid_file)) {
      if (o.ready_fd >= 0) close(o.ready_fd);
      o.ready_fd = -1;
      return true;
    }
  }
}

void StopOutbound(Outbound& o) {
  // SIGTERM lets it tidy up; PR_SET_PDEATHSIG kills it when we exit anyway.
  if (o.pid > 0) kill(o.pid, SIGTERM);
}

void ReapOutbound(Outbound& o, bool expected) {
  int status;
  pid_t r;
  while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
    if (r != o.pid) continue;
    o.pid = -1;
    if (expected) continue;
    char err[160];
    SetExitErr(err, sizeof err, o, status);
    LogError(err, 0);
  }
}

}  // namespace husk
