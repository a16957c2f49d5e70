// The published ports' listening sockets, bound in the host's network
// namespace before we join the container's: that is what makes them host
// ports while the sockets we connect later are the container's.
#include "net/net.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

namespace husk {
namespace {

int BindOne(const Publish& p, int* port) {
  int fd = socket(p.host.ss_family, (p.udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  if (p.host.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (!p.udp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (const sockaddr*)&p.host, p.host_len) < 0 || (!p.udp && listen(fd, kBacklog) < 0)) {
    int e = errno;
    close(fd);
    return -e;
  }
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  getsockname(fd, (sockaddr*)&a, &len);
  *port = ntohs(a.ss_family == AF_INET6 ? ((sockaddr_in6*)&a)->sin6_port : ((sockaddr_in*)&a)->sin_port);
  return fd;
}

}  // namespace

// On failure: one line "error publish tcp 0.0.0.0:8080: <strerror>" on the
// ready fd, and whatever was bound is closed.
bool BindListeners(Forward& f) {
  for (int i = 0; i < f.opt.n_publish; i++) {
    const Publish& p = f.opt.publish[i];
    Listener& l = f.listeners[i];
    int fd = BindOne(p, &l.port);
    if (fd < 0) {
      char addr[64];
      addr[0] = 0;
      strcat(addr, p.udp ? "udp " : "tcp ");
      FormatAddr(addr + 4, p.host);
      ErrorLine(f.opt.ready_fd, "publish", addr, strerror(-fd));
      for (int k = 0; k < i; k++) close(f.listeners[k].tag.fd);
      return false;
    }
    l.tag.kind = p.udp ? kUdpListen : kTcpListen;
    l.tag.fd = fd;
    l.pub = &p;
    f.n_listeners++;
  }
  return true;
}

}  // namespace husk
