// husk-net hold: keeps a user + network namespace (the rootless shared
// network) alive while some watched process lives, without a daemon. In the
// order of README.md ("hold: steps").
#include "net/net.h"

#include "common/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace husk {
namespace {

[[noreturn]] void Fail(Hold& h, const char* what, int err) {
  WriteStr(h.opt.ready_fd, "error ");
  WriteStr(h.opt.ready_fd, what);
  if (err) {
    WriteStr(h.opt.ready_fd, ": ");
    WriteStr(h.opt.ready_fd, strerror(err));
  }
  WriteStr(h.opt.ready_fd, "\n");
  StopOutbound(h.opt.out);
  _exit(1);
}

// "C H N C H N ..." into mappings; false if malformed.
bool ParseMaps(const char* s, std::vector<IdMapping>& out) {
  unsigned v[3];
  int k = 0;
  while (*s) {
    if (*s == ' ' || *s == '\n' || *s == ',') {
      s++;
      continue;
    }
    char* end;
    unsigned long n = strtoul(s, &end, 10);
    if (end == s || n > 0xffffffffUL) return false;
    v[k++] = (unsigned)n;
    s = end;
    if (k == 3) {
      out.push_back({v[0], v[1], v[2]});
      k = 0;
    }
  }
  return k == 0 && !out.empty();
}

// The outbound program joins our namespaces by our pid: "{pid}" in its
// arguments becomes it (pasta PID, slirp4netns --userns-path=/proc/{pid}/ns/user).
void SubstitutePid(Outbound& o) {
  char pid[16];
  size_t plen = FormatInt(pid, getpid());
  char** argv = (char**)calloc((size_t)o.argc + 1, sizeof(char*));
  for (int i = 0; i < o.argc; i++) {
    const char* a = o.argv[i];
    const char* at = strstr(a, "{pid}");
    if (!at) {
      argv[i] = o.argv[i];
      continue;
    }
    size_t len = strlen(a) - 5 + plen;
    char* s = (char*)malloc(len + 1);
    size_t head = (size_t)(at - a);
    memcpy(s, a, head);
    memcpy(s + head, pid, plen);
    strcpy(s + head + plen, at + 5);
    argv[i] = s;
  }
  o.argv = argv;
  FindPidFile(o);
}

struct MapFailure {
  int err;
  char step[64];
};

// Step 1. The maps must be written from the parent namespace: a child
// forked before unshare() waits for it, writes our maps and exits (as
// husk-userns does).
void EnterNamespaces(Hold& h) {
  if (!h.opt.uidmap) {
    // Root: a network namespace of our own is all it takes.
    if (unshare(CLONE_NEWNET) < 0) Fail(h, "unshare net", errno);
    return;
  }
  std::vector<IdMapping> uids, gids;
  if (!ParseMaps(h.opt.uidmap, uids) || !ParseMaps(h.opt.gidmap, gids)) Fail(h, "bad --uidmap/--gidmap", 0);
  IdMapPlan plan;
  idmap_prepare(plan, uids, gids, h.opt.newuidmap);
  int go[2], report[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) Fail(h, "pipe", errno);
  pid_t child = fork();
  if (child < 0) Fail(h, "fork", errno);
  if (child == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(2);  // the parent gave up
    MapFailure f{0, {0}};
    const char* step = "";
    int r = idmap_apply(plan, getppid(), &step);
    if (r < 0) {
      f.err = -r;
      safe_strcpy(f.step, step, sizeof f.step);
    }
    ssize_t w = write(report[1], &f, sizeof f);
    (void)w;
    _exit(r < 0 ? 1 : 0);
  }
  close(go[0]);
  close(report[1]);
  int unshare_err = unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 ? errno : 0;
  if (!unshare_err) {
    ssize_t w = write(go[1], "x", 1);
    (void)w;
  }
  close(go[1]);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  MapFailure f{EPERM, "write id maps"};
  ssize_t n = read(report[0], &f, sizeof f);
  close(report[0]);
  if (unshare_err) Fail(h, "unshare user+net", unshare_err);
  f.step[sizeof f.step - 1] = 0;
  if (n != (ssize_t)sizeof f || f.err) Fail(h, f.step, f.err);
  if (setresgid(0, 0, 0) < 0) Fail(h, "setresgid 0", errno);
  if (setresuid(0, 0, 0) < 0) Fail(h, "setresuid 0", errno);
}

// lo up, and IPv4 forwarding (per network namespace; /proc/sys/net follows
// the opener's network namespace, so the host's /proc serves: no mount
// namespace needed).
void ConfigureNet(Hold& h) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr{};
  strcpy(ifr.ifr_name, "lo");
  if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) Fail(h, "lo", errno);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) Fail(h, "lo up", errno);
  close(fd);
  fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "1", 1) != 1) LogError("ip_forward", errno);  // read-only /proc/sys: go on
  if (fd >= 0) close(fd);
}

void Listen(Hold& h) {
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (strlen(h.opt.socket) >= sizeof a.sun_path) Fail(h, "socket path too long", 0);
  strcpy(a.sun_path, h.opt.socket);
  unlink(h.opt.socket);  // stale, from a holder that was killed
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  mode_t old = umask(0177);  // 0600: the socket's mode comes from the umask
  int r = fd < 0 ? -1 : bind(fd, (sockaddr*)&a, sizeof a);
  umask(old);
  if (r < 0 || listen(fd, 64) < 0) Fail(h, "listen", errno);
  h.listen.fd = fd;
}

void Reply(int fd, const char* s) {
  send(fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void Watch(Hold& h, int fd, const char* arg) {
  int pid;
  if (!ParseInt(arg, &pid) || pid <= 0) return Reply(fd, "error bad pid\n");
  if (h.n_watched == kMaxWatched) return Reply(fd, "error too many watched processes\n");
  int pidfd = PidfdOpen(pid);
  if (pidfd < 0) {
    char line[96] = "error ";
    strcat(line, strerror(errno));
    strcat(line, "\n");
    return Reply(fd, line);
  }
  if (!h.watched) h.watched = (Tag*)calloc(kMaxWatched, sizeof(Tag));
  Tag* t = &h.watched[h.n_watched++];
  t->kind = kWatched;
  t->fd = pidfd;
  EpollAdd(h.epfd, t, EPOLLIN);
  h.ever_watched = true;
  Reply(fd, "ok\n");
}

void CloseClient(HoldClient& c) {
  close(c.tag.fd);
  c.tag.fd = -1;
}

// Lines "watch PID\n"; each gets "ok\n" or "error ...\n".
void ReadClient(Hold& h, HoldClient& c) {
  ssize_t n = read(c.tag.fd, c.line + c.len, sizeof c.line - 1 - c.len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return CloseClient(c);
  c.len += (size_t)n;
  char* nl;
  while ((nl = (char*)memchr(c.line, '\n', c.len))) {
    *nl = 0;
    if (!strncmp(c.line, "watch ", 6)) {
      Watch(h, c.tag.fd, c.line + 6);
    } else if (!strcmp(c.line, "count")) {
      // How many are watched: lets a test see that the holder has noticed an
      // exit (and, answering again, that it has since tried the lock).
      char r[24] = "ok ";
      size_t n = 3 + FormatInt(r + 3, h.n_watched);
      r[n++] = '\n';
      r[n] = 0;
      Reply(c.tag.fd, r);
    } else {
      Reply(c.tag.fd, "error unknown request\n");
    }
    size_t used = (size_t)(nl + 1 - c.line);
    memmove(c.line, nl + 1, c.len - used);
    c.len -= used;
  }
  if (c.len == sizeof c.line - 1) CloseClient(c);  // a line too long
}

void Accept(Hold& h) {
  int fd;
  while ((fd = accept4(h.listen.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
    HoldClient* c = nullptr;
    for (auto& k : h.clients) {
      if (k.tag.fd < 0) c = &k;
    }
    if (!c) {
      close(fd);
      continue;
    }
    c->tag.fd = fd;
    c->len = 0;
    EpollAdd(h.epfd, &c->tag, EPOLLIN);
  }
}

// A watched process exited. Confirmed with poll: an event of this batch may
// name a slot another pidfd has moved into.
void Unwatch(Hold& h, Tag* t) {
  struct pollfd p = {t->fd, POLLIN, 0};
  if (t - h.watched >= h.n_watched || poll(&p, 1, 0) != 1) return;
  close(t->fd);
  *t = h.watched[--h.n_watched];
  if (t != &h.watched[h.n_watched]) {
    struct epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = t;
    epoll_ctl(h.epfd, EPOLL_CTL_MOD, t->fd, &ev);
  }
}

void ReadSignals(Hold& h) {
  struct signalfd_siginfo si;
  while (read(h.sig.fd, &si, sizeof si) == (ssize_t)sizeof si) {
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) h.done = true;
  }
  ReapOutbound(h.opt.out, false);
}

// Step 5: nothing watched (any more, or for kHoldGraceMs from the start) and
// no husk between finding us and registering (they hold the lock shared).
// Returns the epoll timeout.
int CheckIdle(Hold& h) {
  if (h.n_watched > 0) return -1;
  if (!h.ever_watched) {
    long long left = h.started + kHoldGraceMs - MonotonicMs();
    if (left > 0) return (int)left;
  }
  // Read-only: flock needs no write access, and a lock file another user
  // made (root's husk, a test) may be ours to read only.
  if (h.lock_fd < 0) {
    h.lock_fd = open(h.opt.lock, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (h.lock_fd < 0 && !h.lock_logged) LogError(h.opt.lock, errno);
    h.lock_logged = true;
  }
  if (h.lock_fd >= 0 && flock(h.lock_fd, LOCK_EX | LOCK_NB) == 0) {
    h.done = true;  // the lock is kept until we exit: nobody finds us in between
    return 0;
  }
  return kLockRetryMs;
}

void Loop(Hold& h) {
  struct epoll_event ev[32];
  while (!h.done) {
    int timeout = CheckIdle(h);
    if (h.done) break;
    int n = epoll_wait(h.epfd, ev, 32, timeout);
    for (int i = 0; i < n && !h.done; i++) {
      Tag* t = (Tag*)ev[i].data.ptr;
      switch (t->kind) {
        case kSignal: ReadSignals(h); break;
        case kHoldListen: Accept(h); break;
        case kHoldClient: ReadClient(h, *(HoldClient*)t); break;
        case kWatched: Unwatch(h, t); break;
        default: break;
      }
    }
  }
}

}  // namespace

int RunHold(int argc, char** argv) {
  Hold h;
  ParseHoldArgs(argc, argv, h.opt);
  h.started = MonotonicMs();
  h.sig.fd = SetupSignals();
  int gate[2] = {-1, -1};
  if (h.opt.out.argv) {
    // Step 2, first half: pasta/slirp4netns must run in the host's
    // namespaces, so it is forked now and execs once ours exist.
    SubstitutePid(h.opt.out);
    char err[200];
    if (pipe2(gate, O_CLOEXEC) < 0 || !StartOutbound(h.opt.out, gate[0], err, sizeof err)) Fail(h, err, 0);
    close(gate[0]);
  }
  EnterNamespaces(h);
  ConfigureNet(h);
  if (h.opt.out.argv) {
    ssize_t w = write(gate[1], "x", 1);
    (void)w;
    close(gate[1]);
    char err[200];
    if (!WaitOutboundReady(h.opt.out, h.sig.fd, err, sizeof err)) Fail(h, err, 0);
  }
  Listen(h);  // step 3
  char line[32] = "ok ";
  size_t n = 3 + FormatInt(line + 3, getpid());
  line[n++] = '\n';
  WriteAll(h.opt.ready_fd, line, n);  // step 4
  close(h.opt.ready_fd);
  h.epfd = epoll_create1(EPOLL_CLOEXEC);
  EpollAdd(h.epfd, &h.sig, EPOLLIN);
  EpollAdd(h.epfd, &h.listen, EPOLLIN);
  Loop(h);
  unlink(h.opt.socket);  // under the lock, when idle: the next husk starts a new holder
  StopOutbound(h.opt.out);
  return 0;
}

}  // namespace husk
