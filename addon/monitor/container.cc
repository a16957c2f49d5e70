// The container's init (--pid): the monitor is its parent, reaps it and
// records its exit code and time. Other children (cleanup, healthchecks) are
// reaped too.
#include "monitor/monitor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace husk {
namespace {

void RecordExit(Monitor& m, int code) {
  m.child_exited = true;
  clock_gettime(CLOCK_REALTIME, &m.finished_ts);
  m.exit_code = code;
}

// 128 + signal for a killed process (so kill -9 gives 137).
int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// If the init is (impossibly) not our child, watch it through a pidfd (see
// ContainerGone); without one, record it as gone at once.
void CheckOurChild(Monitor& m) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r;
  do {
    r = waitid(P_PID, (id_t)m.opt.pid, &si, WEXITED | WNOHANG | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  if (r < 0 && errno == ECHILD) {
    LogMonitorError(m.log, "container init is not a child of the monitor; exit status unknown", ECHILD);
    // Fall back to a pidfd (polled by the main loop) to at least notice
    // when it goes away; the exit code is then reported as 255.
    m.child_pidfd = (int)syscall(434 /* SYS_pidfd_open */, m.opt.pid, 0);
    if (m.child_pidfd < 0) RecordExit(m, 255);
  }
}

// Without a signalfd there is no event loop to notice the exit: wait for it
// here, so the exit status is still recorded.
void WaitBlocking(Monitor& m) {
  int st;
  pid_t p;
  do {
    p = waitpid(m.opt.pid, &st, 0);
  } while (p < 0 && errno == EINTR);
  RecordExit(m, p > 0 ? ExitCode(st) : 255);
}

}  // namespace

void WatchContainer(Monitor& m) {
  CheckOurChild(m);
  if (m.sig_fd < 0 && !m.child_exited && m.child_pidfd < 0) WaitBlocking(m);
}

void ReapChildren(Monitor& m) {
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p < 0 && errno == EINTR) continue;
    if (p <= 0) return;
    if (p == m.health_pid) m.health_pid = -1;
    if (p == m.opt.pid && !m.child_exited && (WIFEXITED(st) || WIFSIGNALED(st))) RecordExit(m, ExitCode(st));
  }
}

// The pidfd of an init that is not our child became readable: it is gone,
// with an unknown exit code.
void ContainerGone(Monitor& m) {
  close(m.child_pidfd);
  m.child_pidfd = -1;
  if (!m.child_exited) RecordExit(m, 255);
}

// --owner-pid: a pidfd of the process the container belongs to (a build). A
// process already gone kills the container at once.
void WatchOwner(Monitor& m) {
  if (m.opt.owner_pid <= 0) return;
  m.owner_pidfd = (int)syscall(434 /* SYS_pidfd_open */, m.opt.owner_pid, 0);
  if (m.owner_pidfd < 0) OwnerGone(m);
}

// The owner died (SIGKILL of husk build): the container goes with it, as a
// RUN step of podman's does; its exit then takes the usual path.
void OwnerGone(Monitor& m) {
  if (m.owner_pidfd >= 0) close(m.owner_pidfd);
  m.owner_pidfd = -1;
  if (!m.child_exited) kill(m.opt.pid, SIGKILL);
}

}  // namespace husk
