// husk-monitor's life, in order: set up, run while the container runs, drain
// its output, announce the exit, wait for the clients, clean up. The steps
// and their timing are the contract in README.md ("Exit").
#include "monitor/monitor.h"

#include <errno.h>

namespace husk {
namespace {

void Setup(Monitor& m) {
  SetupSignals(m);
  OpenLog(m.log, m.opt.log);
  // Impossible in practice. Without it we cannot wait properly; WatchContainer
  // degrades to a blocking waitpid so the exit status is still recorded.
  if (m.sig_fd < 0) LogMonitorError(m.log, "signalfd failed", errno);
  SetupStdio(m);
  SetupAttach(m);
  SetupNotify(m);
  WatchContainer(m);
  WatchOwner(m);
  ReapChildren(m);
}

// Until the container's init exits; the healthcheck, if any, runs every
// interval meanwhile.
void RunWhileContainerRuns(Monitor& m) {
  StartHealthTimer(m);
  while (!m.child_exited) {
    PollOnce(m, HealthTimeout(m));
    RunHealthcheckIfDue(m);
  }
}

// Output until EOF on every output fd (and, with a tty whose master never
// came, the console socket), at most kDrainMs.
void DrainOutput(Monitor& m) {
  long long deadline = MonotonicMs() + kDrainMs;
  for (;;) {
    bool pending = m.out_fd >= 0 || m.err_fd >= 0 || m.console_fd >= 0;
    if (!pending) break;
    long long left = deadline - MonotonicMs();
    if (left <= 0) break;
    PollOnce(m, (int)left);
  }
  StopStdin(m);
}

// Until every client has closed or taken the cleanup after the exit frame,
// at most kClientWaitMs.
void WaitForClients(Monitor& m) {
  long long deadline = MonotonicMs() + kClientWaitMs;
  while (m.n_clients > 0 && !AllClientsDone(m)) {
    long long left = deadline - MonotonicMs();
    if (left <= 0) break;
    PollOnce(m, (int)left);
  }
}

}  // namespace
}  // namespace husk

int main(int argc, char** argv) {
  using namespace husk;
  // Automatic, not a static local: that would pull in the thread-safe
  // static guard (about 55 KB more text). Its 64 KiB buffers are not touched,
  // so not resident, until used.
  Monitor m;
  ParseArgs(argc, argv, m.opt);
  Setup(m);
  RunWhileContainerRuns(m);
  DrainOutput(m);
  AnnounceExit(m);
  WaitForClients(m);
  CloseAll(m);
  if (!m.any_cleanup_taken) RunCleanup(m);
  // Nothing may stay allocated: once main returns nothing points at it, and
  // LeakSanitizer (test 090) would report it.
  FreeOptions(m.opt);
  return 0;
}
