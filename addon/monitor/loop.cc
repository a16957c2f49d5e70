// Signals and the event loop: SIGCHLD (and the ignored SIGTERM/SIGINT/SIGHUP)
// come through a signalfd; one PollOnce waits on every fd the monitor has
// and hands each ready one to its part.
#include "monitor/monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace husk {
namespace {

// poll()'s array and where each fd is in it (-1: not polled this time).
struct PollSet {
  struct pollfd pfd[9 + kMaxClients];  // the 9 fds below, then the clients
  int n = 0;
  int sig = -1, listen = -1, out = -1, err = -1, console = -1, stdin_sink = -1, pidfd = -1, owner = -1, notify = -1;
  int clients = 0, n_clients = 0;  // the clients' slice of pfd

  int Add(int fd, short events) {
    pfd[n] = {fd, events, 0};
    return n++;
  }
  short Revents(int i) const { return i >= 0 ? pfd[i].revents : 0; }
};

void DrainSignals(Monitor& m) {
  struct signalfd_siginfo si[8];
  for (;;) {
    ssize_t n = read(m.sig_fd, si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // SIGTERM/SIGINT/SIGHUP are deliberately ignored: the monitor lives as
    // long as the container. SIGCHLD is handled by ReapChildren below.
  }
  ReapChildren(m);
}

void BuildPollSet(const Monitor& m, PollSet& ps) {
  ps.sig = ps.Add(m.sig_fd, POLLIN);
  if (m.listen_fd >= 0) ps.listen = ps.Add(m.listen_fd, POLLIN);
  if (m.out_fd >= 0) {
    short ev = POLLIN;
    if (m.out_fd == m.stdin_sink && m.stdin_len > 0) ev |= POLLOUT;
    ps.out = ps.Add(m.out_fd, ev);
  }
  if (m.err_fd >= 0) ps.err = ps.Add(m.err_fd, POLLIN);
  if (m.console_fd >= 0) ps.console = ps.Add(m.console_fd, POLLIN);
  if (m.stdin_sink >= 0 && m.stdin_sink != m.out_fd && m.stdin_len > 0) {
    ps.stdin_sink = ps.Add(m.stdin_sink, POLLOUT);
  }
  if (m.child_pidfd >= 0) ps.pidfd = ps.Add(m.child_pidfd, POLLIN);
  if (m.owner_pidfd >= 0) ps.owner = ps.Add(m.owner_pidfd, POLLIN);
  if (m.notify_fd >= 0) ps.notify = ps.Add(m.notify_fd, POLLIN);
  // Above kStdinMax of queued input, clients are not read until the
  // container has taken some.
  bool read_clients = m.stdin_len < kStdinMax;
  ps.clients = ps.n;
  ps.n_clients = m.n_clients;
  for (int i = 0; i < m.n_clients; i++) {
    short ev = 0;
    if (read_clients) ev |= POLLIN;
    if (m.clients[i]->out_len) ev |= POLLOUT;
    ps.Add(m.clients[i]->fd, ev);
  }
}

void Dispatch(Monitor& m, const PollSet& ps) {
  if (ps.Revents(ps.sig)) DrainSignals(m);
  // Accept before reading output: a client that connected before the
  // container started (husk run attaches, then starts) must see all of it.
  if (ps.Revents(ps.listen)) AcceptClients(m);
  if (ps.Revents(ps.pidfd)) ContainerGone(m);
  if (ps.Revents(ps.owner)) OwnerGone(m);
  if (ps.Revents(ps.console)) ReceiveMaster(m);
  if (ps.Revents(ps.notify)) RelayNotify(m);
  short out = ps.Revents(ps.out);
  if (out && m.out_fd >= 0) {
    if ((out & POLLOUT) && m.stdin_sink == m.out_fd) FlushStdin(m);
    if (out & (POLLIN | POLLHUP | POLLERR)) ReadOutput(m, &m.out_fd, false);
  }
  if (ps.Revents(ps.err) && m.err_fd >= 0) ReadOutput(m, &m.err_fd, !m.opt.tty);
  short in = ps.Revents(ps.stdin_sink);
  if (in && m.stdin_sink >= 0) {
    if (in & (POLLERR | POLLHUP)) {
      CloseStdinPipe(m);
    } else {
      FlushStdin(m);
    }
  }
  for (int k = 0; k < ps.n_clients; k++) {
    const struct pollfd& p = ps.pfd[ps.clients + k];
    if (p.revents) ServiceClient(m, p.fd, p.revents);
  }
}

}  // namespace

// Signals first: a SIGCHLD that arrived before this is not lost (the zombie
// stays and the first ReapChildren() picks it up).
void SetupSignals(Monitor& m) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  m.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

// One poll iteration. timeout_ms < 0: infinite.
void PollOnce(Monitor& m, int timeout_ms) {
  PollSet ps;
  BuildPollSet(m, ps);
  int r = poll(ps.pfd, (nfds_t)ps.n, timeout_ms);
  if (r < 0) {
    if (errno != EINTR) {
      LogMonitorError(m.log, "poll failed", errno);
      usleep(100000);
    }
    return;
  }
  if (r > 0) Dispatch(m, ps);
}

}  // namespace husk
