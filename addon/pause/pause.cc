// husk-pause: the infra process of a pod. It holds the namespaces the pod's
// containers share (network, IPC, UTS), does nothing else, reaps whatever
// exits under it, and exits 0 on SIGTERM, SIGINT or SIGHUP, as podman's
// catatonit -P does. Built static: it is the whole of the pause image.
#include <csignal>
#include <initializer_list>
#include <sys/wait.h>

int main() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig != SIGCHLD) return 0;
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
}
