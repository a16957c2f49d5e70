// UDP relay: per client address a flow socket made in the container's
// namespace and connected to the target. A client's datagrams go out on its
// flow; the target's replies come back through the listening socket with
// sendto(client), so the client sees the address it sent to.
#include "net/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace husk {
namespace {

constexpr int kBatch = 64;  // datagrams per wakeup, so one busy socket cannot starve the rest
char g_dgram[65536];        // bss: no resident page until the first datagram

void CloseFlow(Forward& f, Flow* fl) {
  close(fl->tag.fd);
  *fl = f.flows[--f.n_flows];
  // The moved flow's tag moved too: point epoll at its new place.
  if (fl != &f.flows[f.n_flows]) {
    struct epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &fl->tag;
    epoll_ctl(f.epfd, EPOLL_CTL_MOD, fl->tag.fd, &ev);
  }
}

Flow* FindFlow(Forward& f, int idx, const sockaddr_storage& a, socklen_t len) {
  for (int i = 0; i < f.n_flows; i++) {
    Flow& fl = f.flows[i];
    if (fl.listener == idx && fl.client_len == len && !memcmp(&fl.client, &a, len)) return &fl;
  }
  return nullptr;
}

Flow* NewFlow(Forward& f, int idx, const sockaddr_storage& a, socklen_t len) {
  if (!f.flows) {
    f.flows = (Flow*)calloc(kMaxFlows, sizeof(Flow));
    if (!f.flows) return nullptr;
  }
  if (f.n_flows == kMaxFlows) {
    Flow* oldest = &f.flows[0];
    for (int i = 1; i < f.n_flows; i++) {
      if (f.flows[i].last < oldest->last) oldest = &f.flows[i];
    }
    CloseFlow(f, oldest);
  }
  const Publish& p = *f.listeners[idx].pub;
  int fd = socket(p.target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    LogError("socket", errno);
    return nullptr;
  }
  if (connect(fd, (const sockaddr*)&p.target, p.target_len) < 0) {
    LogError("connect udp", errno);
    close(fd);
    return nullptr;
  }
  Flow* fl = &f.flows[f.n_flows++];
  fl->tag.kind = kFlow;
  fl->tag.fd = fd;
  fl->listener = idx;
  fl->client = a;
  fl->client_len = len;
  EpollAdd(f.epfd, &fl->tag, EPOLLIN);
  return fl;
}

}  // namespace

void ReadUdpListener(Forward& f, int idx) {
  int lfd = f.listeners[idx].tag.fd;
  for (int i = 0; i < kBatch; i++) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    ssize_t n = recvfrom(lfd, g_dgram, sizeof g_dgram, 0, (sockaddr*)&a, &len);
    if (n < 0) return;
    Flow* fl = FindFlow(f, idx, a, len);
    if (!fl) fl = NewFlow(f, idx, a, len);
    if (!fl) continue;
    fl->last = MonotonicMs();
    // Refused (ECONNREFUSED from an earlier ICMP) or full: UDP may drop.
    send(fl->tag.fd, g_dgram, (size_t)n, 0);
  }
}

void ReadFlow(Forward& f, Flow* fl) {
  int lfd = f.listeners[fl->listener].tag.fd;
  for (int i = 0; i < kBatch; i++) {
    ssize_t n = recv(fl->tag.fd, g_dgram, sizeof g_dgram, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      continue;  // ECONNREFUSED: the target has no socket (yet); keep the flow
    }
    fl->last = MonotonicMs();
    sendto(lfd, g_dgram, (size_t)n, 0, (const sockaddr*)&fl->client, fl->client_len);
  }
}

int ExpireFlows(Forward& f) {
  long long now = MonotonicMs();
  long long next = -1;
  for (int i = 0; i < f.n_flows;) {
    long long due = f.flows[i].last + kFlowIdleMs;
    if (due <= now) {
      CloseFlow(f, &f.flows[i]);  // the last flow moved to i: look at it again
      continue;
    }
    if (next < 0 || due < next) next = due;
    i++;
  }
  return next < 0 ? -1 : (int)(next - now);
}

void CloseAllFlows(Forward& f) {
  while (f.n_flows) CloseFlow(f, &f.flows[0]);
  free(f.flows);
  f.flows = nullptr;
}

}  // namespace husk
