// The husk commands the monitor starts: the healthcheck (`husk healthcheck
// run ID`, every --health-interval ms while the container runs, never two at
// once) and the cleanup command (once, at the very end). Both are detached:
// own session, /dev/null for stdio, no inherited fds.
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace husk {
namespace {

pid_t SpawnCommand(Monitor& m, char** argv, const char* what) {
  pid_t self = getpid();  // the child's getppid() is 1 once we have exited
  pid_t p = fork();
  if (p < 0) {
    LogMonitorError(m.log, what, errno);
    return -1;
  }
  if (p > 0) return p;
  // child
  setsid();
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  signal(SIGPIPE, SIG_DFL);
  int dn = open("/dev/null", O_RDWR);
  if (dn >= 0) {
    dup2(dn, 0);
    dup2(dn, 1);
    dup2(dn, 2);
  }
  syscall(SYS_close_range, 3U, ~0U, 0U);
  // Who started it: a cleanup must not undo a start that came after this run.
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)self);
  setenv("HUSK_MONITOR_PID", pid, 1);
  execvp(argv[0], argv);
  _exit(127);
}

}  // namespace

void StartHealthTimer(Monitor& m) {
  m.next_health = m.opt.health_interval > 0 ? MonotonicMs() + m.opt.health_interval : -1;
}

// Milliseconds until the next healthcheck is due (0: overdue), -1: none.
int HealthTimeout(const Monitor& m) {
  if (m.next_health < 0) return -1;
  long long left = m.next_health - MonotonicMs();
  return left > 0 ? (int)left : 0;
}

// A check that is due while the previous one still runs is skipped.
void RunHealthcheckIfDue(Monitor& m) {
  if (m.next_health < 0 || MonotonicMs() < m.next_health || m.child_exited) return;
  if (m.health_pid < 0) m.health_pid = SpawnCommand(m, m.opt.health_argv, "cannot fork healthcheck");
  m.next_health += m.opt.health_interval;
  if (m.next_health < MonotonicMs()) m.next_health = MonotonicMs() + m.opt.health_interval;
}

// Not waited for: the monitor exits right after the fork.
void RunCleanup(Monitor& m) {
  if (m.opt.cleanup_argc > 0) SpawnCommand(m, m.opt.cleanup_argv, "cannot fork cleanup command");
}

}  // namespace husk
