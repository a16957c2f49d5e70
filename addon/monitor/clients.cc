// Attach clients: the list, frames out (non-blocking, with a bounded backlog
// per client) and frames in (stdin, resize, stdin EOF, cleanup taken).
#include "monitor/monitor.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace husk {
namespace {

bool QueueOutput(Client* c, const char* p, size_t n) {
  if (c->out_len + n > kClientOutMax) return false;
  if (c->out_len + n > c->out_cap) {
    size_t nc = c->out_cap ? c->out_cap : 4096;
    while (nc < c->out_len + n) nc *= 2;
    char* nb = (char*)realloc(c->out, nc);
    if (!nb) return false;
    c->out = nb;
    c->out_cap = nc;
  }
  memcpy(c->out + c->out_len, p, n);
  c->out_len += n;
  return true;
}

// Sends as much of header + data as the socket takes now; returns the number
// of bytes sent, or -1 if the client must be dropped.
ssize_t SendNow(Client* c, const uint8_t* hdr, const char* data, size_t n) {
  size_t off = 0;  // bytes of (hdr+data) already sent
  for (;;) {
    struct iovec iov[2];
    int cnt = 0;
    if (off < 5) {
      iov[cnt].iov_base = (void*)(hdr + off);
      iov[cnt++].iov_len = 5 - off;
      if (n) {
        iov[cnt].iov_base = (void*)data;
        iov[cnt++].iov_len = n;
      }
    } else if (off < 5 + n) {
      iov[cnt].iov_base = (void*)(data + (off - 5));
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
      return -1;
    }
    off += (size_t)w;
  }
  return (ssize_t)off;
}

void HandleFrame(Monitor& m, Client* c) {
  switch (c->type) {
    case kStdinEof:
      StdinEof(m);
      break;
    case kResize:
      if (c->small_len >= 4 && m.opt.tty) {
        ResizePty(m, (unsigned short)((c->small[0] << 8) | c->small[1]),
                  (unsigned short)((c->small[2] << 8) | c->small[3]));
      }
      break;
    case kCleanupTaken:
      c->taken = true;
      c->done = m.exit_sent;
      m.any_cleanup_taken = true;
      break;
    default:
      break;  // kStdin is streamed; unknown types are skipped
  }
}

// Feeds bytes received from a client through its frame parser. Stdin payload
// is passed on as it arrives; other payloads (up to 8 bytes kept) are handled
// when complete.
void ClientInput(Monitor& m, Client* c, const char* p, size_t n) {
  while (n > 0) {
    if (c->hdr_len < 5) {
      size_t take = 5 - (size_t)c->hdr_len;
      if (take > n) take = n;
      memcpy(c->hdr + c->hdr_len, p, take);
      c->hdr_len += (int)take;
      p += take;
      n -= take;
      if (c->hdr_len == 5) {
        c->type = c->hdr[0];
        c->remain = ((uint32_t)c->hdr[1] << 24) | ((uint32_t)c->hdr[2] << 16) | ((uint32_t)c->hdr[3] << 8) |
                    c->hdr[4];
        c->small_len = 0;
        if (c->remain == 0) {
          HandleFrame(m, c);
          c->hdr_len = 0;
        }
      }
      continue;
    }
    size_t take = c->remain;
    if (take > n) take = n;
    if (c->type == kStdin) {
      if (!m.exit_sent) QueueStdin(m, p, take);
    } else {
      for (size_t i = 0; i < take && c->small_len < (int)sizeof c->small; i++) {
        c->small[c->small_len++] = (uint8_t)p[i];
      }
    }
    c->remain -= (uint32_t)take;
    p += take;
    n -= take;
    if (c->remain == 0) {
      HandleFrame(m, c);
      c->hdr_len = 0;
    }
  }
}

// One read from a client; returns false if it must be dropped.
bool ReadClient(Monitor& m, Client* c) {
  char buf[16 * 1024];
  ssize_t n;
  do {
    n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    ClientInput(m, c, buf, (size_t)n);
    return true;
  }
  return n < 0 && errno == EAGAIN;
}

void ExitPayload(int exit_code, uint8_t* b) {
  uint32_t code = (uint32_t)exit_code;
  b[0] = (uint8_t)(code >> 24);
  b[1] = (uint8_t)(code >> 16);
  b[2] = (uint8_t)(code >> 8);
  b[3] = (uint8_t)code;
}

int FindClient(const Monitor& m, int fd) {
  for (int i = 0; i < m.n_clients; i++) {
    if (m.clients[i]->fd == fd) return i;
  }
  return -1;
}

}  // namespace

// Takes ownership of fd (closed if the client cannot be added).
bool AddClient(Monitor& m, int fd) {
  if (m.n_clients >= kMaxClients) {
    close(fd);
    return false;
  }
  Client* c = (Client*)calloc(1, sizeof(Client));
  if (!c) {
    close(fd);
    return false;
  }
  c->fd = fd;
  m.clients[m.n_clients++] = c;
  return true;
}

// Removes clients[idx]; the last client takes its place.
void DropClient(Monitor& m, int idx) {
  Client* c = m.clients[idx];
  // A client that took the cleanup and went away before the exit (a `run
  // --rm` that detached, or was killed) cannot do it: it is ours again.
  bool released = c->taken && !m.exit_sent;
  close(c->fd);
  free(c->out);
  free(c);
  m.clients[idx] = m.clients[--m.n_clients];
  if (released) {
    m.any_cleanup_taken = false;
    for (int i = 0; i < m.n_clients; i++) m.any_cleanup_taken = m.any_cleanup_taken || m.clients[i]->taken;
  }
}

// Sends the client's backlog; returns false if the client must be dropped.
bool FlushClient(Client* c) {
  while (c->out_len > 0) {
    ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return true;
      return false;
    }
    memmove(c->out, c->out + w, c->out_len - (size_t)w);
    c->out_len -= (size_t)w;
  }
  if (c->out_cap > 64 * 1024) {
    free(c->out);
    c->out = nullptr;
    c->out_cap = 0;
  }
  return true;
}

// Sends one frame to a client, queueing what the socket does not take now
// (behind any backlog); returns false if the client must be dropped.
bool SendFrame(Client* c, uint8_t type, const char* data, size_t n) {
  uint8_t hdr[5] = {type, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
  size_t off = 0;  // bytes of (hdr+data) already sent
  if (c->out_len == 0) {
    ssize_t sent = SendNow(c, hdr, data, n);
    if (sent < 0) return false;
    off = (size_t)sent;
    if (off >= 5 + n) return true;
  }
  if (off < 5) {
    if (!QueueOutput(c, (const char*)hdr + off, 5 - off)) return false;
    return QueueOutput(c, data, n);
  }
  return QueueOutput(c, data + (off - 5), 5 + n - off);
}

// Sends one frame to every client, dropping those that cannot take it.
void Broadcast(Monitor& m, uint8_t type, const char* data, size_t n) {
  for (int i = 0; i < m.n_clients;) {
    if (!SendFrame(m.clients[i], type, data, n)) {
      DropClient(m, i);
      continue;
    }
    i++;
  }
}

// The exit frame's payload: the exit code as int32 big-endian.
bool SendExitFrame(Monitor& m, Client* c) {
  uint8_t b[4];
  ExitPayload(m.exit_code, b);
  return SendFrame(c, kExit, (const char*)b, 4);
}

void BroadcastExit(Monitor& m) {
  uint8_t b[4];
  ExitPayload(m.exit_code, b);
  Broadcast(m, kExit, (const char*)b, 4);
}

// poll() reported `revents` for the client socket `fd`. By fd, not index:
// the client may have moved (or gone) since poll's array was built.
void ServiceClient(Monitor& m, int fd, short revents) {
  int idx = FindClient(m, fd);
  if (idx < 0) return;
  Client* c = m.clients[idx];
  bool drop = false;
  if (revents & POLLOUT) drop = !FlushClient(c);
  if (!drop && (revents & (POLLIN | POLLHUP | POLLERR))) drop = !ReadClient(m, c);
  if (drop) DropClient(m, idx);
}

// A client is waited for until it closes, or until it says after the exit
// frame that it takes the cleanup. One that took it earlier (husk run --rm)
// may still be writing stdin: closing on it then would make its writes fail
// and could cost it the unread exit frame.
bool AllClientsDone(const Monitor& m) {
  for (int i = 0; i < m.n_clients; i++) {
    if (!m.clients[i]->done) return false;
  }
  return true;
}

}  // namespace husk
