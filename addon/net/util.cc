// Small helpers without state: writing everything, numbers and addresses
// without stdio, the clock, error lines, signals, epoll.
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace husk {

long long MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void LogError(const char* what, int err) {
  char line[256] = "husk-net: ";
  strncat(line, what, 160);
  if (err) {
    strcat(line, ": ");
    strncat(line, strerror(err), 80);
  }
  strcat(line, "\n");
  WriteStr(2, line);
}

void ErrorLine(int fd, const char* a, const char* b, const char* c) {
  char line[512] = "error ";
  strncat(line, a, 100);
  strcat(line, " ");
  strncat(line, b, 200);
  strcat(line, ": ");
  strncat(line, c, 180);
  strcat(line, "\n");
  WriteStr(fd, line);
}

size_t FormatAddr(char* buf, const sockaddr_storage& a) {
  size_t n;
  int port;
  if (a.ss_family == AF_INET6) {
    auto* s6 = (const sockaddr_in6*)&a;
    buf[0] = '[';
    inet_ntop(AF_INET6, &s6->sin6_addr, buf + 1, INET6_ADDRSTRLEN);
    n = strlen(buf);
    buf[n++] = ']';
    port = ntohs(s6->sin6_port);
  } else {
    auto* s4 = (const sockaddr_in*)&a;
    inet_ntop(AF_INET, &s4->sin_addr, buf, INET_ADDRSTRLEN);
    n = strlen(buf);
    port = ntohs(s4->sin_port);
  }
  buf[n++] = ':';
  return n + FormatInt(buf + n, port);
}

int PidfdOpen(pid_t pid) {
  return (int)syscall(SYS_pidfd_open, pid, 0);
}

// The signals we act on come through a signalfd, so the loops need no
// handlers; SIGPIPE is ignored because a peer may go away mid-write.
int SetupSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

// Each TCP connection costs six fds (two sockets, two pipes).
void RaiseFdLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

void EpollAdd(int epfd, Tag* tag, uint32_t events) {
  struct epoll_event ev{};
  ev.events = events;
  ev.data.ptr = tag;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, tag->fd, &ev) < 0) LogError("epoll_ctl", errno);
}

}  // namespace husk
