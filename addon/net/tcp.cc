// TCP relay: each accepted host connection gets a socket made in the
// container's namespace, connected to the target; bytes move both ways with
// splice() through one pipe per direction, so they never enter user space.
//
// Every socket is registered once, edge-triggered, for reading and writing.
// An event on either end of a direction pumps that direction until neither
// side makes progress: then either the pipe is empty and the source would
// block (its next data is an edge), or the pipe holds data and the
// destination would block (its next space is an edge). No wakeup is lost and
// none spins.
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <new>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace husk {
namespace {

constexpr uint32_t kConnEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

void Unlink(Forward& f, Conn* c) {
  if (c->prev) c->prev->next = c->next;
  if (c->next) c->next->prev = c->prev;
  if (f.conns == c) f.conns = c->next;
}

void FreeDir(Dir& d) {
  if (d.pipe_r >= 0) close(d.pipe_r);
  if (d.pipe_w >= 0) close(d.pipe_w);
  free(d.buf);
}

// abort: SO_LINGER 0, so the peer sees a reset rather than an orderly end.
void CloseConn(Forward& f, Conn* c, bool abort) {
  if (abort) {
    struct linger lg = {1, 0};
    setsockopt(c->client.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    if (!c->connecting) setsockopt(c->target.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close(c->client.fd);
  close(c->target.fd);
  FreeDir(c->up);
  FreeDir(c->down);
  Unlink(f, c);
  c->dead = true;
  c->next = f.dead;
  f.dead = c;
  if (f.accept_blocked) {
    f.accept_blocked = false;
    for (int i = 0; i < f.n_listeners; i++) {
      if (f.listeners[i].tag.kind == kTcpListen) AcceptTcp(f, f.listeners[i]);
    }
  }
}

bool InitDir(Forward& f, Dir& d, int src, int dst) {
  d.src = src;
  d.dst = dst;
  if (f.splice_ok) {
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) return false;
    d.pipe_r = p[0];
    d.pipe_w = p[1];
    // Larger pipes mean fewer wakeups per megabyte. Refused above
    // /proc/sys/fs/pipe-max-size or the user's pipe quota: keep what we got.
    fcntl(d.pipe_w, F_SETPIPE_SZ, kPipeSize);
    int sz = fcntl(d.pipe_w, F_GETPIPE_SZ);
    d.cap = sz > 0 ? (size_t)sz : 65536;
    return true;
  }
  d.buf = (char*)malloc(kCopyBuf);
  d.cap = kCopyBuf;
  return d.buf != nullptr;
}

// src -> pipe or buffer. >0 moved, 0 EOF, -1 would block, -2 error (errno).
ssize_t Fill(Forward& f, Dir& d) {
  size_t room = d.cap - d.pending;
  ssize_t n;
  if (d.pipe_w >= 0) {
    n = splice(d.src, nullptr, d.pipe_w, nullptr, room, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n < 0 && errno == EINVAL && d.pending == 0) {
      // splice refused for these sockets: read/write from now on.
      f.splice_ok = false;
      close(d.pipe_r);
      close(d.pipe_w);
      d.pipe_r = d.pipe_w = -1;
      d.buf = (char*)malloc(kCopyBuf);
      d.cap = kCopyBuf;
      if (!d.buf) return -2;
      return Fill(f, d);
    }
  } else {
    if (d.off + d.pending == d.cap) return -1;
    n = read(d.src, d.buf + d.off + d.pending, d.cap - d.off - d.pending);
  }
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EINTR ? -1 : -2;
}

// pipe or buffer -> dst. Same results as Fill (never 0).
ssize_t Flush(Dir& d) {
  ssize_t n;
  if (d.pipe_r >= 0) {
    n = splice(d.pipe_r, nullptr, d.dst, nullptr, d.pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  } else {
    n = write(d.dst, d.buf + d.off, d.pending);
    if (n > 0) d.off = (size_t)n == d.pending ? 0 : d.off + (size_t)n;
  }
  if (n > 0) return n;
  return n < 0 && (errno == EAGAIN || errno == EINTR) ? -1 : -2;
}

// Moves what can move now. False: the connection is broken.
bool Pump(Forward& f, Dir& d) {
  for (;;) {
    bool progress = false;
    if (!d.eof && d.pending < d.cap) {
      ssize_t n = Fill(f, d);
      if (n == -2) return false;
      if (n == 0) d.eof = true;
      if (n > 0) {
        d.pending += (size_t)n;
        progress = true;
      }
    }
    if (d.pending > 0) {
      ssize_t n = Flush(d);
      if (n == -2) return false;
      if (n > 0) {
        d.pending -= (size_t)n;
        progress = true;
      }
    }
    if (!progress) break;
  }
  // Half-close: the source's end of stream becomes the destination's.
  if (d.eof && d.pending == 0 && !d.shut) {
    shutdown(d.dst, SHUT_WR);
    d.shut = true;
  }
  return true;
}

// The non-blocking connect finished (or failed: the client is reset, as a
// refused connection would be).
bool Connected(Conn* c) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c->target.fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) return false;
  c->connecting = false;
  return true;
}

Conn* NewConn(Forward& f, int client, const Publish& p) {
  int target = socket(p.target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (target < 0) {
    LogError("socket", errno);
    return nullptr;
  }
  Conn* c = (Conn*)calloc(1, sizeof(Conn));
  if (!c) {
    close(target);
    return nullptr;
  }
  new (c) Conn();
  c->client.fd = client;
  c->target.fd = target;
  if (!InitDir(f, c->up, client, target) || !InitDir(f, c->down, target, client)) {
    FreeDir(c->up);
    FreeDir(c->down);
    close(target);
    free(c);
    LogError("pipe", errno);
    return nullptr;
  }
  return c;
}

}  // namespace

void AcceptTcp(Forward& f, Listener& l) {
  for (;;) {
    int fd = accept4(l.tag.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // The listener is edge-triggered: try again when a connection closes.
        if (!f.accept_blocked) LogError("accept", errno);
        f.accept_blocked = true;
      } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        LogError("accept", errno);
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    Conn* c = NewConn(f, fd, *l.pub);
    if (!c) {
      close(fd);
      continue;
    }
    c->next = f.conns;
    if (f.conns) f.conns->prev = c;
    f.conns = c;
    int r = connect(c->target.fd, (const sockaddr*)&l.pub->target, l.pub->target_len);
    if (r < 0 && errno != EINPROGRESS) {
      CloseConn(f, c, true);
      continue;
    }
    EpollAdd(f.epfd, &c->client, kConnEvents);
    EpollAdd(f.epfd, &c->target, kConnEvents);
  }
}

void ServiceConn(Forward& f, Conn* c, bool is_client) {
  if (c->dead) return;
  if (c->connecting) {
    if (is_client) return;  // its data waits in the socket until we are connected
    if (!Connected(c)) {
      CloseConn(f, c, true);
      return;
    }
  }
  // Both directions, whatever the event: the fd is the source of one and the
  // destination of the other, and right after connecting the client's edges
  // may have passed. A direction with nothing to do costs one syscall.
  if (!Pump(f, c->up) || !Pump(f, c->down)) {
    CloseConn(f, c, true);
    return;
  }
  if (c->up.shut && c->down.shut) CloseConn(f, c, false);
}

void FreeDeadConns(Forward& f) {
  while (f.dead) {
    Conn* c = f.dead;
    f.dead = c->next;
    free(c);
  }
}

void CloseAllConns(Forward& f) {
  while (f.conns) CloseConn(f, f.conns, false);
  FreeDeadConns(f);
}

}  // namespace husk
