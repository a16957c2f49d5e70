// --sdnotify=container: the container's sd_notify messages. The monitor
// binds a datagram socket (--notify-socket, in a directory the container
// sees at /run/notify) and relays what arrives to systemd's socket
// (--notify-target). The container's processes may sit outside the unit's
// cgroup (its own, as root) or in another pid namespace: systemd accepts a
// message from the monitor, whose pid husk announced as MAINPID, and not
// from them. MAINPID lines are dropped: a pid of the container's namespace
// means nothing to systemd.
#include "monitor/monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sdnotify.h"

namespace husk {
namespace {

// `buf` (n bytes, lines) without its MAINPID= lines, in place; returns the new length.
size_t DropMainPid(char* buf, size_t n) {
  size_t out = 0;
  size_t i = 0;
  while (i < n) {
    size_t end = i;
    while (end < n && buf[end] != '\n') end++;
    size_t len = end - i;
    bool keep = !(len >= 8 && memcmp(buf + i, "MAINPID=", 8) == 0) && len > 0;
    if (keep) {
      if (out > 0) buf[out++] = '\n';
      memmove(buf + out, buf + i, len);
      out += len;
    }
    i = end + 1;
  }
  return out;
}

}  // namespace

void SetupNotify(Monitor& m) {
  if (!m.opt.notify_socket || !m.opt.notify_target) return;
  int fd = SdNotifyListen(m.opt.notify_socket);
  if (fd < 0) {
    LogMonitorError(m.log, "cannot create the sd_notify socket", -fd);
    return;
  }
  m.notify_fd = fd;
}

void RelayNotify(Monitor& m) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(m.notify_fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: all read
    size_t len = DropMainPid(buf, (size_t)n);
    if (len == 0) continue;
    int rc = SdNotifySend(m.opt.notify_target, buf, len);
    if (rc < 0) LogMonitorError(m.log, "cannot relay an sd_notify message", -rc);
  }
}

void CloseNotify(Monitor& m) {
  if (m.notify_fd < 0) return;
  close(m.notify_fd);
  m.notify_fd = -1;
  unlink(m.opt.notify_socket);
}

}  // namespace husk
