// The attach socket: a unix stream socket at --attach (mode 0600) that any
// number of clients connect to, plus the client the addon connected from the
// start (--client-fd). The framing is in clients.cc.
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace husk {
namespace {

// A path too long for sun_path: bind to its base name from inside its
// directory, then go back to the previous working directory.
int BindInDirectory(int fd, struct sockaddr_un& sa, const char* path) {
  const char* slash = strrchr(path, '/');
  const char* base = slash ? slash + 1 : path;
  size_t blen = strlen(base);
  int rc = -1;
  errno = ENAMETOOLONG;
  if (!slash || blen >= sizeof sa.sun_path) return rc;
  char* dir = (char*)malloc((size_t)(slash - path) + 2);
  if (!dir) return rc;
  size_t dl = (size_t)(slash - path);
  if (dl == 0) dl = 1;  // "/x"
  memcpy(dir, path, dl);
  dir[dl] = 0;
  int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (chdir(dir) == 0) {
    memcpy(sa.sun_path, base, blen + 1);
    rc = bind(fd, (struct sockaddr*)&sa, sizeof sa);
    int e = errno;
    // Back where we were (or to "/"); if that fails there is nothing better to do.
    bool back = cwd >= 0 ? fchdir(cwd) == 0 : chdir("/") == 0;
    (void)back;
    errno = e;
  }
  if (cwd >= 0) close(cwd);
  free(dir);
  return rc;
}

// Returns the listening socket, or -1 with errno set. A stale file at `path`
// is unlinked first.
int CreateAttachSocket(const char* path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  unlink(path);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t len = strlen(path);
  mode_t old_mask = umask(077);
  int rc;
  if (len < sizeof sa.sun_path) {
    memcpy(sa.sun_path, path, len + 1);
    rc = bind(fd, (struct sockaddr*)&sa, sizeof sa);
  } else {
    rc = BindInDirectory(fd, sa, path);
  }
  umask(old_mask);
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

}  // namespace

void SetupAttach(Monitor& m) {
  m.listen_fd = CreateAttachSocket(m.opt.attach);
  if (m.listen_fd < 0) LogMonitorError(m.log, "cannot create attach socket", errno);
  // Connected before the container could write anything: it sees all output.
  if (m.opt.client_fd >= 0) {
    SetNonblockCloexec(m.opt.client_fd);
    AddClient(m, m.opt.client_fd);
  }
}

void AcceptClients(Monitor& m) {
  for (;;) {
    int fd = accept4(m.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN or transient error (EMFILE...): try again later
    }
    if (!AddClient(m, fd)) continue;
    // Late joiner: it missed the exit frame; give it the exit status.
    if (m.exit_sent && !SendExitFrame(m, m.clients[m.n_clients - 1])) DropClient(m, m.n_clients - 1);
  }
}

void CloseAttachSocket(Monitor& m) {
  if (m.listen_fd < 0) return;
  close(m.listen_fd);
  m.listen_fd = -1;
  unlink(m.opt.attach);
}

}  // namespace husk
