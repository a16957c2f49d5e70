// husk-net forward: the life of one container's port forwarder, in the
// order of README.md ("forward: steps").
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace husk {
namespace {

[[noreturn]] void Fail(Forward& f, const char* line) {
  WriteStr(f.opt.ready_fd, "error ");
  WriteStr(f.opt.ready_fd, line);
  WriteStr(f.opt.ready_fd, "\n");
  StopOutbound(f.opt.out);
  _exit(1);
}

// Step 4: sockets made from here on are the container's.
void JoinNamespaces(Forward& f) {
  const char* paths[2] = {f.opt.userns, f.opt.netns};
  const int types[2] = {CLONE_NEWUSER, CLONE_NEWNET};
  const char* names[2] = {"setns user", "setns net"};
  for (int i = 0; i < 2; i++) {
    if (!paths[i]) continue;
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
    int e = fd < 0 ? errno : (setns(fd, types[i]) < 0 ? errno : 0);
    if (fd >= 0) close(fd);
    if (e) {
      char line[320] = "";
      strcat(line, names[i]);
      strcat(line, " ");
      strncat(line, paths[i], 200);
      strcat(line, ": ");
      strncat(line, strerror(e), 80);
      Fail(f, line);
    }
  }
}

void AnnounceReady(Forward& f) {
  char line[16 + 8 * kMaxPublish] = "ok";
  size_t n = 2;
  for (int i = 0; i < f.n_listeners; i++) {
    line[n++] = ' ';
    n += FormatInt(line + n, f.listeners[i].port);
  }
  line[n++] = '\n';
  WriteAll(f.opt.ready_fd, line, n);
}

// Step 6: "go\n" starts the forwarding; EOF first means husk gave up.
void ReadGo(Forward& f) {
  char buf[16];
  ssize_t n = read(f.ready.fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n >= 3 && !memcmp(buf, "go\n", 3)) {
    close(f.ready.fd);
    f.ready.fd = -1;
    for (int i = 0; i < f.n_listeners; i++) {
      Listener& l = f.listeners[i];
      // TCP listeners edge-triggered: AcceptTcp takes all until EAGAIN.
      EpollAdd(f.epfd, &l.tag, l.tag.kind == kTcpListen ? EPOLLIN | EPOLLET : EPOLLIN);
      if (l.tag.kind == kTcpListen) AcceptTcp(f, l);  // connections queued before go
    }
    return;
  }
  f.done = true;  // EOF, an error, or not "go"
}

void ReadSignals(Forward& f) {
  struct signalfd_siginfo si;
  while (read(f.sig.fd, &si, sizeof si) == (ssize_t)sizeof si) {
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) f.done = true;
  }
  ReapOutbound(f.opt.out, false);  // unexpected: it is logged, forwarding goes on
}

void Dispatch(Forward& f, Tag* t) {
  switch (t->kind) {
    case kSignal: ReadSignals(f); break;
    case kPidfd: f.done = true; break;  // the container's init exited
    case kReady: ReadGo(f); break;
    case kTcpListen: AcceptTcp(f, *(Listener*)t); break;
    case kUdpListen: ReadUdpListener(f, (int)((Listener*)t - f.listeners)); break;
    case kClient: ServiceConn(f, (Conn*)((char*)t - offsetof(Conn, client)), true); break;
    case kTarget: ServiceConn(f, (Conn*)((char*)t - offsetof(Conn, target)), false); break;
    case kFlow: ReadFlow(f, (Flow*)t); break;
    default: break;
  }
}

void Loop(Forward& f) {
  struct epoll_event ev[64];
  while (!f.done) {
    int timeout = ExpireFlows(f);
    int n = epoll_wait(f.epfd, ev, 64, timeout);
    if (n < 0 && errno != EINTR) {
      LogError("epoll_wait", errno);
      usleep(100000);
    }
    for (int i = 0; i < n && !f.done; i++) Dispatch(f, (Tag*)ev[i].data.ptr);
    FreeDeadConns(f);
  }
}

}  // namespace

int RunForward(int argc, char** argv) {
  // Automatic, not static: the thread-safe static guard costs text; the
  // arrays are not touched, so not resident, until used.
  Forward f;
  ParseForwardArgs(argc, argv, f.opt);
  f.ready.fd = f.opt.ready_fd;
  // Step 1: a pidfd first, so a pid reused later can never be mistaken.
  f.pidfd.fd = PidfdOpen(f.opt.pid);
  if (f.pidfd.fd < 0) {
    if (errno == ESRCH) return 0;  // the container is already gone
    char line[96] = "pidfd_open: ";
    strcat(line, strerror(errno));
    Fail(f, line);
  }
  f.sig.fd = SetupSignals();
  RaiseFdLimit();
  if (!BindListeners(f)) return 1;  // step 2; the error line is written
  if (f.opt.out.argv) {             // step 3
    char err[200];
    if (!StartOutbound(f.opt.out, -1, err, sizeof err) || !WaitOutboundReady(f.opt.out, f.sig.fd, err, sizeof err)) {
      Fail(f, err);
    }
  }
  JoinNamespaces(f);  // step 4
  AnnounceReady(f);   // step 5
  f.epfd = epoll_create1(EPOLL_CLOEXEC);
  EpollAdd(f.epfd, &f.sig, EPOLLIN);
  EpollAdd(f.epfd, &f.pidfd, EPOLLIN);
  EpollAdd(f.epfd, &f.ready, EPOLLIN);
  Loop(f);  // steps 6 and 7
  StopOutbound(f.opt.out);
  CloseAllConns(f);
  CloseAllFlows(f);
  return 0;
}

}  // namespace husk
