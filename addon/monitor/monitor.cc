// husk-monitor: the per-container monitor (conmon's counterpart).
//
// One process per container, parent of the container's init. Owns the
// container's stdio (pipes or pty master), writes the k8s-file log, serves the
// attach socket, records the exit status and runs the cleanup command.
// See addon/monitor/README.md for the contract.
//
// Deliberately plain C-style C++ over glibc: no iostream, no exceptions, no
// stdio. It is linked statically and must stay well under 1 MB of RSS.

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>  // rename() only; no stdio streams are used
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

namespace {

// ---------------------------------------------------------------- constants

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kClientOutMax = 1024 * 1024;  // per-client backlog before drop
constexpr size_t kStdinMax = 1024 * 1024;       // stop reading clients above this
constexpr int kDrainMs = 2000;                  // output drain after exit
constexpr int kClientWaitMs = 5000;             // wait for "cleanup taken"
constexpr int kMaxClients = 256;

enum FrameType : uint8_t {
  kStdin = 0,
  kStdout = 1,
  kStderr = 2,
  kExit = 3,
  kResize = 4,
  kStdinEof = 5,
  kCleanupTaken = 6,
};

// ---------------------------------------------------------------- options

struct Options {
  const char *id = nullptr;
  const char *log = nullptr;
  const char *attach = nullptr;
  const char *exitFile = nullptr;
  bool tty = false;
  bool stdinOpen = false;
  int pid = -1;
  int stdinFd = -1, stdoutFd = -1, stderrFd = -1;
  bool haveStdio = false;
  int consoleFd = -1;
  int clientFd = -1;  // a client connected from the start (husk run's end of a socketpair)
  char **cleanupArgv = nullptr;  // null-terminated
  int cleanupArgc = 0;
  char **healthArgv = nullptr;  // `husk healthcheck run ID`, every healthInterval ms
  int healthArgc = 0;
  int healthInterval = 0;
};

Options opt;

// ---------------------------------------------------------------- small utils

size_t cstrlen(const char *s) { return strlen(s); }

void writeAll(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // nothing sensible to do (log disk full, ...)
    }
    p += w;
    n -= (size_t)w;
  }
}

void writeStr(int fd, const char *s) { writeAll(fd, s, cstrlen(s)); }

// Appends decimal of v to buf, returns chars written.
size_t fmtInt(char *buf, long long v) {
  char tmp[24];
  size_t n = 0;
  bool neg = v < 0;
  unsigned long long u = neg ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t o = 0;
  if (neg) buf[o++] = '-';
  while (n) buf[o++] = tmp[--n];
  return o;
}

void fmtPad(char *buf, unsigned v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    buf[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

// RFC3339 with nanoseconds, UTC: "2026-11-22T07:06:37.123456789Z" (30 chars).
constexpr size_t kTsLen = 30;
void fmtTime(char *out, const struct timespec &ts) {
  long long secs = ts.tv_sec;
  long long days = secs / 86400;
  long long rem = secs % 86400;
  if (rem < 0) { rem += 86400; days--; }
  // civil_from_days (H. Hinnant)
  long long z = days + 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = (long long)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  fmtPad(out, (unsigned)y, 4);
  out[4] = '-';
  fmtPad(out + 5, m, 2);
  out[7] = '-';
  fmtPad(out + 8, d, 2);
  out[10] = 'T';
  fmtPad(out + 11, (unsigned)(rem / 3600), 2);
  out[13] = ':';
  fmtPad(out + 14, (unsigned)(rem / 60 % 60), 2);
  out[16] = ':';
  fmtPad(out + 17, (unsigned)(rem % 60), 2);
  out[19] = '.';
  fmtPad(out + 20, (unsigned)ts.tv_nsec, 9);
  out[29] = 'Z';
}

void nowTime(char *out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  fmtTime(out, ts);
}

long long monoMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void setNonblockCloexec(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// ---------------------------------------------------------------- log

int logFd = -1;
char logBuf[64 * 1024];
size_t logLen = 0;

void logFlush() {
  if (logLen && logFd >= 0) writeAll(logFd, logBuf, logLen);
  logLen = 0;
}

void logAppend(const char *p, size_t n) {
  while (n > 0) {
    if (logLen == sizeof logBuf) logFlush();
    size_t take = sizeof logBuf - logLen;
    if (take > n) take = n;
    memcpy(logBuf + logLen, p, take);
    logLen += take;
    p += take;
    n -= take;
  }
}

// Logs one chunk of output as k8s-file records: every complete line is an
// "F" record; a trailing piece without newline is a "P" record.
void logChunk(bool isStderr, const char *data, size_t n) {
  if (logFd < 0 || n == 0) return;
  char hdr[kTsLen + 12];
  nowTime(hdr);
  const char *stream = isStderr ? " stderr " : " stdout ";
  memcpy(hdr + kTsLen, stream, 8);
  size_t hdrBase = kTsLen + 8;
  size_t i = 0;
  while (i < n) {
    const char *nl = (const char *)memchr(data + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - data) : n;
    hdr[hdrBase] = nl ? 'F' : 'P';
    hdr[hdrBase + 1] = ' ';
    logAppend(hdr, hdrBase + 2);
    logAppend(data + i, end - i);
    logAppend("\n", 1);
    i = nl ? end + 1 : n;
  }
  logFlush();
}

void logMonitorError(const char *msg, int err) {
  if (logFd < 0) return;
  char hdr[kTsLen + 16];
  nowTime(hdr);
  memcpy(hdr + kTsLen, " stderr F ", 10);
  logAppend(hdr, kTsLen + 10);
  const char *pfx = "husk-monitor: ";
  logAppend(pfx, cstrlen(pfx));
  logAppend(msg, cstrlen(msg));
  if (err) {
    logAppend(": ", 2);
    const char *e = strerror(err);
    logAppend(e, cstrlen(e));
  }
  logAppend("\n", 1);
  logFlush();
}

// ---------------------------------------------------------------- stdin sink

int consoleFd = -1;  // until the pty master has been received
bool consoleFdOpen() { return consoleFd >= 0; }
int stdinSink = -1;  // pipe write end or pty master (shared with output)
bool stdinSinkIsMaster = false;
char *stdinBuf = nullptr;
size_t stdinLen = 0, stdinCap = 0;
bool stdinEofPending = false;

void closeStdinPipe() {
  if (stdinSink >= 0 && !stdinSinkIsMaster) close(stdinSink);
  if (!stdinSinkIsMaster) stdinSink = -1;
  stdinLen = 0;
}

void stdinFlush() {
  while (stdinSink >= 0 && stdinLen > 0) {
    ssize_t w = write(stdinSink, stdinBuf, stdinLen);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      // EPIPE (reader gone), EIO (pty slave closed), ...: discard input.
      stdinLen = 0;
      if (!stdinSinkIsMaster) closeStdinPipe();
      break;
    }
    memmove(stdinBuf, stdinBuf + w, stdinLen - (size_t)w);
    stdinLen -= (size_t)w;
  }
  if (stdinLen == 0 && stdinEofPending && !stdinSinkIsMaster && stdinSink >= 0) {
    closeStdinPipe();
  }
}

// With a tty, input that arrives before the pty master is queued for it.
bool stdinAccepting() {
  if (stdinSink >= 0) return true;
  return opt.tty && consoleFdOpen();
}

void stdinAppend(const char *p, size_t n) {
  if (!stdinAccepting() || stdinEofPending || n == 0) return;
  if (stdinLen + n > stdinCap) {
    size_t nc = stdinCap ? stdinCap : 4096;
    while (nc < stdinLen + n) nc *= 2;
    char *nb = (char *)realloc(stdinBuf, nc);
    if (!nb) return;
    stdinBuf = nb;
    stdinCap = nc;
  }
  memcpy(stdinBuf + stdinLen, p, n);
  stdinLen += n;
  stdinFlush();
  if (stdinLen == 0 && stdinCap > 64 * 1024) {  // give back big buffers
    free(stdinBuf);
    stdinBuf = nullptr;
    stdinCap = 0;
  }
}

// ---------------------------------------------------------------- clients

struct Client {
  int fd;
  uint8_t hdr[5];
  int hdrLen;
  uint32_t remain;
  uint8_t type;
  uint8_t small[8];
  int smallLen;
  bool taken;  // sent "cleanup taken"
  bool done;   // sent "cleanup taken" after the exit frame: it writes nothing more
  char *out;
  size_t outLen, outCap;
};

Client *clients[kMaxClients];
int nClients = 0;
bool anyCleanupTaken = false;
bool exitSent = false;
int exitCode = -1;
int listenFd = -1;

void dropClient(int idx) {
  Client *c = clients[idx];
  // A client that took the cleanup and went away before the exit (a `run
  // --rm` that detached, or was killed) cannot do it: it is ours again.
  bool released = c->taken && !exitSent;
  close(c->fd);
  free(c->out);
  free(c);
  clients[idx] = clients[--nClients];
  if (released) {
    anyCleanupTaken = false;
    for (int i = 0; i < nClients; i++) anyCleanupTaken = anyCleanupTaken || clients[i]->taken;
  }
}

// Returns false if the client must be dropped.
bool clientFlush(Client *c) {
  while (c->outLen > 0) {
    ssize_t w = send(c->fd, c->out, c->outLen, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return true;
      return false;
    }
    memmove(c->out, c->out + w, c->outLen - (size_t)w);
    c->outLen -= (size_t)w;
  }
  if (c->outCap > 64 * 1024) {
    free(c->out);
    c->out = nullptr;
    c->outCap = 0;
  }
  return true;
}

bool clientQueue(Client *c, const char *p, size_t n) {
  if (c->outLen + n > kClientOutMax) return false;
  if (c->outLen + n > c->outCap) {
    size_t nc = c->outCap ? c->outCap : 4096;
    while (nc < c->outLen + n) nc *= 2;
    char *nb = (char *)realloc(c->out, nc);
    if (!nb) return false;
    c->out = nb;
    c->outCap = nc;
  }
  memcpy(c->out + c->outLen, p, n);
  c->outLen += n;
  return true;
}

// Sends one frame to a client; returns false if the client must be dropped.
bool clientSend(Client *c, uint8_t type, const char *data, size_t n) {
  uint8_t hdr[5] = {type, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
  size_t off = 0;  // bytes of (hdr+data) already sent
  if (c->outLen == 0) {
    for (;;) {
      struct iovec iov[2];
      int cnt = 0;
      if (off < 5) {
        iov[cnt].iov_base = hdr + off;
        iov[cnt++].iov_len = 5 - off;
        if (n) {
          iov[cnt].iov_base = (void *)data;
          iov[cnt++].iov_len = n;
        }
      } else if (off < 5 + n) {
        iov[cnt].iov_base = (void *)(data + (off - 5));
        iov[cnt++].iov_len = 5 + n - off;
      } else {
        break;
      }
      struct msghdr mh;
      memset(&mh, 0, sizeof mh);
      mh.msg_iov = iov;
      mh.msg_iovlen = (size_t)cnt;
      ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        return false;
      }
      off += (size_t)w;
    }
    if (off >= 5 + n) return true;
  }
  if (off < 5) {
    if (!clientQueue(c, (const char *)hdr + off, 5 - off)) return false;
    return clientQueue(c, data, n);
  }
  return clientQueue(c, data + (off - 5), 5 + n - off);
}

void broadcast(uint8_t type, const char *data, size_t n) {
  for (int i = 0; i < nClients;) {
    if (!clientSend(clients[i], type, data, n)) {
      dropClient(i);
      continue;
    }
    i++;
  }
}

int masterFd = -1;
// Last size asked for before the pty master arrived; applied on arrival.
struct winsize pendingWs;
bool havePendingWs = false;

void handleFrame(Client *c) {
  switch (c->type) {
    case kStdinEof:
      if (!stdinSinkIsMaster && stdinSink >= 0) {
        stdinEofPending = true;
        stdinFlush();
      }
      break;
    case kResize:
      if (c->smallLen >= 4 && opt.tty) {
        struct winsize ws;
        memset(&ws, 0, sizeof ws);
        ws.ws_row = (unsigned short)((c->small[0] << 8) | c->small[1]);
        ws.ws_col = (unsigned short)((c->small[2] << 8) | c->small[3]);
        if (masterFd >= 0) {
          ioctl(masterFd, TIOCSWINSZ, &ws);
        } else {
          pendingWs = ws;
          havePendingWs = true;
        }
      }
      break;
    case kCleanupTaken:
      c->taken = true;
      c->done = exitSent;
      anyCleanupTaken = true;
      break;
    default:
      break;  // kStdin is streamed; unknown types are skipped
  }
}

void clientInput(Client *c, const char *p, size_t n) {
  while (n > 0) {
    if (c->hdrLen < 5) {
      size_t take = 5 - (size_t)c->hdrLen;
      if (take > n) take = n;
      memcpy(c->hdr + c->hdrLen, p, take);
      c->hdrLen += (int)take;
      p += take;
      n -= take;
      if (c->hdrLen == 5) {
        c->type = c->hdr[0];
        c->remain = ((uint32_t)c->hdr[1] << 24) | ((uint32_t)c->hdr[2] << 16) |
                    ((uint32_t)c->hdr[3] << 8) | c->hdr[4];
        c->smallLen = 0;
        if (c->remain == 0) {
          handleFrame(c);
          c->hdrLen = 0;
        }
      }
      continue;
    }
    size_t take = c->remain;
    if (take > n) take = n;
    if (c->type == kStdin) {
      if (!exitSent) stdinAppend(p, take);
    } else {
      for (size_t i = 0; i < take && c->smallLen < (int)sizeof c->small; i++) {
        c->small[c->smallLen++] = (uint8_t)p[i];
      }
    }
    c->remain -= (uint32_t)take;
    p += take;
    n -= take;
    if (c->remain == 0) {
      handleFrame(c);
      c->hdrLen = 0;
    }
  }
}

bool addClient(int fd) {
  if (nClients >= kMaxClients) {
    close(fd);
    return false;
  }
  Client *c = (Client *)calloc(1, sizeof(Client));
  if (!c) {
    close(fd);
    return false;
  }
  c->fd = fd;
  clients[nClients++] = c;
  return true;
}

void acceptClients() {
  for (;;) {
    int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN or transient error (EMFILE...): try again later
    }
    if (!addClient(fd)) continue;
    Client *c = clients[nClients - 1];
    if (exitSent) {
      // Late joiner: it missed the exit frame; give it the exit status.
      uint8_t b[4] = {(uint8_t)((uint32_t)exitCode >> 24), (uint8_t)((uint32_t)exitCode >> 16),
                      (uint8_t)((uint32_t)exitCode >> 8), (uint8_t)exitCode};
      if (!clientSend(c, kExit, (const char *)b, 4)) dropClient(nClients - 1);
    }
  }
}

// ---------------------------------------------------------------- attach socket

int createAttachSocket(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  unlink(path);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t len = cstrlen(path);
  mode_t oldMask = umask(077);
  int rc;
  if (len < sizeof sa.sun_path) {
    memcpy(sa.sun_path, path, len + 1);
    rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  } else {
    // Too long for sun_path: bind relative to the directory.
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t blen = cstrlen(base);
    rc = -1;
    errno = ENAMETOOLONG;
    if (slash && blen < sizeof sa.sun_path) {
      char *dir = (char *)malloc((size_t)(slash - path) + 2);
      if (dir) {
        size_t dl = (size_t)(slash - path);
        if (dl == 0) dl = 1;  // "/x"
        memcpy(dir, path, dl);
        dir[dl] = 0;
        int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (chdir(dir) == 0) {
          memcpy(sa.sun_path, base, blen + 1);
          rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
          int e = errno;
          if (cwd >= 0) {
            if (fchdir(cwd) != 0) {}
          } else if (chdir("/") != 0) {
          }
          errno = e;
        }
        if (cwd >= 0) close(cwd);
        free(dir);
      }
    }
  }
  umask(oldMask);
  if (rc != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  chmod(path, 0600);
  if (listen(fd, 64) != 0) {
    int e = errno;
    close(fd);
    unlink(path);
    errno = e;
    return -1;
  }
  return fd;
}

// ---------------------------------------------------------------- exit file

void writeExitFile(const char *finishedAt) {
  size_t plen = cstrlen(opt.exitFile);
  char *tmp = (char *)malloc(plen + 5);
  if (!tmp) return;
  memcpy(tmp, opt.exitFile, plen);
  memcpy(tmp + plen, ".tmp", 5);
  char buf[128];
  size_t n = 0;
  const char *a = "{\"exitCode\":";
  memcpy(buf, a, cstrlen(a));
  n += cstrlen(a);
  n += fmtInt(buf + n, exitCode);
  const char *b = ",\"finishedAt\":\"";
  memcpy(buf + n, b, cstrlen(b));
  n += cstrlen(b);
  memcpy(buf + n, finishedAt, kTsLen);
  n += kTsLen;
  memcpy(buf + n, "\"}\n", 3);
  n += 3;
  int fd;
  do {
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    logMonitorError("cannot create exit file", errno);
    free(tmp);
    return;
  }
  // No fsync: it sits between the container's exit and the exit frame every
  // client waits for; the rename keeps the file whole (as conmon does it).
  writeAll(fd, buf, n);
  close(fd);
  if (rename(tmp, opt.exitFile) != 0) logMonitorError("cannot rename exit file", errno);
  free(tmp);
}

// ---------------------------------------------------------------- cleanup

// Starts a husk command (cleanup, healthcheck) with /dev/null for stdio.
pid_t spawnCommand(char **argv, const char *what) {
  pid_t p = fork();
  if (p < 0) {
    logMonitorError(what, errno);
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
  execvp(argv[0], argv);
  _exit(127);
}

void runCleanup() {
  if (opt.cleanupArgc > 0) spawnCommand(opt.cleanupArgv, "cannot fork cleanup command");
}

// ---------------------------------------------------------------- usage

[[noreturn]] void usage(const char *msg, const char *arg) {
  writeStr(2, "husk-monitor: ");
  writeStr(2, msg);
  if (arg) {
    writeStr(2, ": ");
    writeStr(2, arg);
  }
  writeStr(2,
           "\nusage: husk-monitor --id ID --log PATH --attach PATH --exit PATH [--tty] [--stdin]\n"
           "       [--cleanup-arg ARG]... [--health-interval MS --health-arg ARG...] [--client-fd FD]\n"
           "       --pid PID (--stdio-fds IN,OUT,ERR | --console-fd FD)\n");
  _exit(2);
}

bool parseInt(const char *s, int *out) {
  if (!s || !*s) return false;
  bool neg = false;
  if (*s == '-') {
    neg = true;
    s++;
  }
  if (!*s) return false;
  long long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + (*s - '0');
    if (v > 0x7fffffff) return false;
  }
  *out = (int)(neg ? -v : v);
  return true;
}

void parseArgs(int argc, char **argv) {
  opt.cleanupArgv = (char **)calloc((size_t)argc + 1, sizeof(char *));
  opt.healthArgv = (char **)calloc((size_t)argc + 1, sizeof(char *));
  if (!opt.cleanupArgv || !opt.healthArgv) usage("out of memory", nullptr);
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i];
    if (!strcmp(k, "--tty")) {
      opt.tty = true;
      continue;
    }
    if (!strcmp(k, "--stdin")) {
      opt.stdinOpen = true;
      continue;
    }
    bool known = !strcmp(k, "--id") || !strcmp(k, "--log") || !strcmp(k, "--attach") ||
                 !strcmp(k, "--exit") || !strcmp(k, "--cleanup-arg") || !strcmp(k, "--pid") ||
                 !strcmp(k, "--stdio-fds") || !strcmp(k, "--console-fd") || !strcmp(k, "--client-fd") ||
                 !strcmp(k, "--health-arg") || !strcmp(k, "--health-interval");
    if (!known) usage("unknown option", k);
    if (i + 1 >= argc) usage("missing value for", k);
    char *v = argv[++i];
    if (!strcmp(k, "--id")) {
      opt.id = v;
    } else if (!strcmp(k, "--log")) {
      opt.log = v;
    } else if (!strcmp(k, "--attach")) {
      opt.attach = v;
    } else if (!strcmp(k, "--exit")) {
      opt.exitFile = v;
    } else if (!strcmp(k, "--cleanup-arg")) {
      opt.cleanupArgv[opt.cleanupArgc++] = v;
    } else if (!strcmp(k, "--health-arg")) {
      opt.healthArgv[opt.healthArgc++] = v;
    } else if (!strcmp(k, "--health-interval")) {
      if (!parseInt(v, &opt.healthInterval) || opt.healthInterval <= 0) usage("bad --health-interval", v);
    } else if (!strcmp(k, "--pid")) {
      if (!parseInt(v, &opt.pid) || opt.pid <= 0) usage("bad --pid", v);
    } else if (!strcmp(k, "--client-fd")) {
      if (!parseInt(v, &opt.clientFd) || opt.clientFd < 3) usage("bad --client-fd", v);
    } else if (!strcmp(k, "--console-fd")) {
      if (!parseInt(v, &opt.consoleFd) || opt.consoleFd < 0) usage("bad --console-fd", v);
    } else {  // --stdio-fds in,out,err
      int fds[3];
      char *s = v;
      for (int j = 0; j < 3; j++) {
        char *comma = strchr(s, ',');
        if ((j < 2) != (comma != nullptr)) usage("bad --stdio-fds", v);
        if (comma) *comma = 0;
        bool ok = parseInt(s, &fds[j]);
        if (comma) *comma = ',';
        if (!ok || fds[j] < -1) usage("bad --stdio-fds", v);
        if (comma) s = comma + 1;
      }
      opt.stdinFd = fds[0];
      opt.stdoutFd = fds[1];
      opt.stderrFd = fds[2];
      opt.haveStdio = true;
    }
  }
  if (!opt.id) usage("missing option", "--id");
  if (!opt.log) usage("missing option", "--log");
  if (!opt.attach) usage("missing option", "--attach");
  if (!opt.exitFile) usage("missing option", "--exit");
  if (opt.pid <= 0) usage("missing option", "--pid");
  if (opt.haveStdio == (opt.consoleFd >= 0)) {
    usage("exactly one of --stdio-fds and --console-fd is required", nullptr);
  }
}

// ---------------------------------------------------------------- main loop

int outFd = -1, errFd = -1;  // pipes (or outFd = pty master)
int sigFd = -1;
bool childExited = false;
int childPidfd = -1;  // only if the container init is (impossibly) not our child
struct timespec finishedTs;

void receiveMaster() {
  char dummy[16];
  struct iovec iov = {dummy, sizeof dummy};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int) * 4)];
  } cbuf;
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf.buf;
  mh.msg_controllen = sizeof cbuf.buf;
  ssize_t n;
  do {
    n = recvmsg(consoleFd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  int recvErr = n < 0 ? errno : 0;
  if (n < 0) mh.msg_controllen = 0;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      int nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      int fds[4];
      memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)(nfd > 4 ? 4 : nfd));
      for (int i = 0; i < nfd && i < 4; i++) {
        if (masterFd < 0) {
          masterFd = fds[i];
        } else {
          close(fds[i]);
        }
      }
    }
  }
  // Exactly one message is expected: done with the console socket either way.
  close(consoleFd);
  consoleFd = -1;
  if (masterFd >= 0) {
    setNonblockCloexec(masterFd);
    outFd = masterFd;
    stdinSink = masterFd;
    stdinSinkIsMaster = true;
    if (havePendingWs) ioctl(masterFd, TIOCSWINSZ, &pendingWs);
    havePendingWs = false;
  } else {
    stdinLen = 0;  // input queued for a master that will never come
  }
  if (masterFd < 0 && n != 0) {
    logMonitorError(n < 0 ? "cannot receive the pty master" : "console socket message without a file descriptor",
                    recvErr);
  }
}

void readOutput(int *fdp, bool isStderr) {
  static char buf[kReadChunk];
  ssize_t n;
  do {
    n = read(*fdp, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    // EOF, or EIO from a pty master whose slave side is gone.
    if (*fdp == masterFd) {
      // Keep the master open for nothing else: stdin to it is pointless now.
      stdinSink = -1;
      stdinLen = 0;
      masterFd = -1;
    }
    close(*fdp);
    *fdp = -1;
    return;
  }
  logChunk(isStderr, buf, (size_t)n);
  broadcast(isStderr ? kStderr : kStdout, buf, (size_t)n);
}

pid_t healthPid = -1;  // a healthcheck still running: the next one waits

void reapChildren() {
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p < 0 && errno == EINTR) continue;
    if (p <= 0) return;
    if (p == healthPid) healthPid = -1;
    if (p == opt.pid && !childExited && (WIFEXITED(st) || WIFSIGNALED(st))) {
      childExited = true;
      clock_gettime(CLOCK_REALTIME, &finishedTs);
      exitCode = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
  }
}

void drainSignals() {
  struct signalfd_siginfo si[8];
  for (;;) {
    ssize_t n = read(sigFd, si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // SIGTERM/SIGINT/SIGHUP are deliberately ignored: the monitor lives as
    // long as the container. SIGCHLD is handled by reapChildren below.
  }
  reapChildren();
}

enum Phase { kRunning, kDraining, kWaitingClients };

// One poll iteration. timeoutMs < 0: infinite.
void pollOnce(Phase phase, int timeoutMs) {
  struct pollfd pfd[9 + kMaxClients];
  int n = 0;
  int iSig = -1, iListen = -1, iOut = -1, iErr = -1, iCons = -1, iStdin = -1, iCli = -1;
  pfd[n] = {sigFd, POLLIN, 0};
  iSig = n++;
  if (listenFd >= 0) {
    pfd[n] = {listenFd, POLLIN, 0};
    iListen = n++;
  }
  if (outFd >= 0) {
    short ev = POLLIN;
    if (outFd == stdinSink && stdinLen > 0) ev |= POLLOUT;
    pfd[n] = {outFd, ev, 0};
    iOut = n++;
  }
  if (errFd >= 0) {
    pfd[n] = {errFd, POLLIN, 0};
    iErr = n++;
  }
  if (consoleFd >= 0) {
    pfd[n] = {consoleFd, POLLIN, 0};
    iCons = n++;
  }
  if (stdinSink >= 0 && stdinSink != outFd && stdinLen > 0) {
    pfd[n] = {stdinSink, POLLOUT, 0};
    iStdin = n++;
  }
  int iPidfd = -1;
  if (childPidfd >= 0) {
    pfd[n] = {childPidfd, POLLIN, 0};
    iPidfd = n++;
  }
  iCli = n;
  int nc = nClients;
  bool readClients = stdinLen < kStdinMax;
  for (int i = 0; i < nc; i++) {
    short ev = 0;
    if (readClients) ev |= POLLIN;
    if (clients[i]->outLen) ev |= POLLOUT;
    pfd[n++] = {clients[i]->fd, ev, 0};
  }
  (void)phase;
  int r = poll(pfd, (nfds_t)n, timeoutMs);
  if (r < 0) {
    if (errno != EINTR) {
      logMonitorError("poll failed", errno);
      usleep(100000);
    }
    return;
  }
  if (r == 0) return;
  if (pfd[iSig].revents) drainSignals();
  // Accept before reading output: a client that connected before the
  // container started (husk run attaches, then starts) must see all of it.
  if (iListen >= 0 && pfd[iListen].revents) acceptClients();
  if (iPidfd >= 0 && pfd[iPidfd].revents) {
    close(childPidfd);
    childPidfd = -1;
    if (!childExited) {
      childExited = true;
      clock_gettime(CLOCK_REALTIME, &finishedTs);
      exitCode = 255;
    }
  }
  if (iCons >= 0 && pfd[iCons].revents) receiveMaster();
  if (iOut >= 0 && outFd >= 0 && pfd[iOut].revents) {
    if ((pfd[iOut].revents & POLLOUT) && stdinSink == outFd) stdinFlush();
    if (pfd[iOut].revents & (POLLIN | POLLHUP | POLLERR)) readOutput(&outFd, false);
  }
  if (iErr >= 0 && errFd >= 0 && pfd[iErr].revents) readOutput(&errFd, !opt.tty);
  if (iStdin >= 0 && stdinSink >= 0 && pfd[iStdin].revents) {
    if (pfd[iStdin].revents & (POLLERR | POLLHUP)) {
      closeStdinPipe();
    } else {
      stdinFlush();
    }
  }
  // Clients: iterate the snapshot; dropClient swaps the last into the hole, so
  // map by fd.
  for (int k = 0; k < nc; k++) {
    short rev = pfd[iCli + k].revents;
    if (!rev) continue;
    int fd = pfd[iCli + k].fd;
    int idx = -1;
    for (int i = 0; i < nClients; i++) {
      if (clients[i]->fd == fd) {
        idx = i;
        break;
      }
    }
    if (idx < 0) continue;
    Client *c = clients[idx];
    bool drop = false;
    if (rev & POLLOUT) drop = !clientFlush(c);
    if (!drop && (rev & (POLLIN | POLLHUP | POLLERR))) {
      char buf[16 * 1024];
      ssize_t m;
      do {
        m = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
      } while (m < 0 && errno == EINTR);
      if (m > 0) {
        clientInput(c, buf, (size_t)m);
      } else if (m == 0 || errno != EAGAIN) {
        drop = true;
      }
    }
    if (drop) dropClient(idx);
  }
}

// A client is waited for until it closes, or until it says after the exit
// frame that it takes the cleanup. One that took it earlier (husk run --rm)
// may still be writing stdin: closing on it then would make its writes fail
// and could cost it the unread exit frame.
bool allClientsDone() {
  for (int i = 0; i < nClients; i++) {
    if (!clients[i]->done) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  parseArgs(argc, argv);

  // Signals first: a SIGCHLD that arrived before this is not lost (the zombie
  // stays and the first reapChildren() below picks it up).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  sigFd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);

  do {
    logFd = open(opt.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  } while (logFd < 0 && errno == EINTR);

  if (sigFd < 0) {
    // Impossible in practice. Without it we cannot wait properly; degrade to
    // a blocking waitpid so the exit status is still recorded.
    logMonitorError("signalfd failed", errno);
  }

  if (opt.haveStdio) {
    outFd = opt.stdoutFd;
    errFd = opt.stderrFd;
    if (outFd >= 0) setNonblockCloexec(outFd);
    if (errFd >= 0) setNonblockCloexec(errFd);
    if (opt.stdinFd >= 0) {
      setNonblockCloexec(opt.stdinFd);
      stdinSink = opt.stdinFd;
    }
  } else {
    consoleFd = opt.consoleFd;
    fcntl(consoleFd, F_SETFD, FD_CLOEXEC);
  }

  listenFd = createAttachSocket(opt.attach);
  if (listenFd < 0) logMonitorError("cannot create attach socket", errno);
  // Connected before the container could write anything: it sees all output.
  if (opt.clientFd >= 0) {
    setNonblockCloexec(opt.clientFd);
    addClient(opt.clientFd);
  }

  // Is the container really our child?
  {
    int st;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r;
    do {
      r = waitid(P_PID, (id_t)opt.pid, &si, WEXITED | WNOHANG | WNOWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == ECHILD) {
      logMonitorError("container init is not a child of the monitor; exit status unknown", ECHILD);
      // Fall back to a pidfd (polled by the main loop) to at least notice
      // when it goes away; the exit code is then reported as 255.
      childPidfd = (int)syscall(434 /* SYS_pidfd_open */, opt.pid, 0);
      if (childPidfd < 0) {
        childExited = true;
        clock_gettime(CLOCK_REALTIME, &finishedTs);
        exitCode = 255;
      }
    }
    (void)st;
  }

  if (sigFd < 0 && !childExited && childPidfd < 0) {
    int st;
    pid_t p;
    do {
      p = waitpid(opt.pid, &st, 0);
    } while (p < 0 && errno == EINTR);
    childExited = true;
    clock_gettime(CLOCK_REALTIME, &finishedTs);
    exitCode = p > 0 ? (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)) : 255;
  }

  reapChildren();

  // Phase 1: run until the container's init exits.
  // The healthcheck, if any, runs every interval while the container does.
  long long nextHealth = opt.healthInterval > 0 ? monoMs() + opt.healthInterval : -1;
  while (!childExited) {
    int timeout = -1;
    if (nextHealth >= 0) {
      long long left = nextHealth - monoMs();
      timeout = left > 0 ? (int)left : 0;
    }
    pollOnce(kRunning, timeout);
    if (nextHealth >= 0 && monoMs() >= nextHealth && !childExited) {
      if (healthPid < 0) healthPid = spawnCommand(opt.healthArgv, "cannot fork healthcheck");
      nextHealth += opt.healthInterval;
      if (nextHealth < monoMs()) nextHealth = monoMs() + opt.healthInterval;
    }
  }

  // Phase 2: drain output until EOF (bounded).
  long long deadline = monoMs() + kDrainMs;
  for (;;) {
    bool pending = outFd >= 0 || errFd >= 0 || consoleFd >= 0;
    if (!pending) break;
    long long left = deadline - monoMs();
    if (left <= 0) break;
    pollOnce(kDraining, (int)left);
  }
  if (stdinSink >= 0 && !stdinSinkIsMaster) closeStdinPipe();
  stdinLen = 0;  // input is pointless now; keep reading clients (for type 6)
  logFlush();

  // Exit file, then exit frame. A client that already took the cleanup
  // (husk run --rm) removes the container as soon as it hears the exit: the
  // file would be written only to be deleted.
  char finishedAt[kTsLen + 1];
  fmtTime(finishedAt, finishedTs);
  finishedAt[kTsLen] = 0;
  if (!anyCleanupTaken) writeExitFile(finishedAt);
  {
    uint8_t b[4] = {(uint8_t)((uint32_t)exitCode >> 24), (uint8_t)((uint32_t)exitCode >> 16),
                    (uint8_t)((uint32_t)exitCode >> 8), (uint8_t)exitCode};
    exitSent = true;
    broadcast(kExit, (const char *)b, 4);
  }

  // Phase 3: wait for the clients to take over cleanup or go away (bounded).
  deadline = monoMs() + kClientWaitMs;
  while (nClients > 0 && !allClientsDone()) {
    long long left = deadline - monoMs();
    if (left <= 0) break;
    pollOnce(kWaitingClients, (int)left);
  }

  // Final best-effort flush of what is still queued for clients.
  for (int i = 0; i < nClients; i++) clientFlush(clients[i]);

  if (listenFd >= 0) {
    close(listenFd);
    unlink(opt.attach);
  }
  while (nClients > 0) dropClient(nClients - 1);
  if (outFd >= 0) close(outFd);
  if (errFd >= 0) close(errFd);
  if (masterFd >= 0 && masterFd != outFd) close(masterFd);

  if (!anyCleanupTaken) runCleanup();
  return 0;
}
