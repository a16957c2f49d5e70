// See sdnotify.h.
#include "common/sdnotify.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace husk {
namespace {

// The directory part of `path` ("/" for "/x") into dir (size cap); false if it does not fit.
bool DirOf(const char* path, const char* slash, char* dir, size_t cap) {
  size_t dl = (size_t)(slash - path);
  if (dl == 0) dl = 1;
  if (dl >= cap) return false;
  memcpy(dir, path, dl);
  dir[dl] = 0;
  return true;
}

// Fills `sa` for `path`. A path longer than sun_path goes through an O_PATH
// fd of its directory (returned in *dirfd, for the caller to close): the
// kernel resolves /proc/self/fd/N like any directory.
int Address(const char* path, struct sockaddr_un& sa, socklen_t& len, int* dirfd) {
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  *dirfd = -1;
  size_t plen = strlen(path);
  if (plen == 0) return -EINVAL;
  if (path[0] == '@') {  // abstract: a leading NUL, not NUL-terminated
    if (plen > sizeof sa.sun_path) return -ENAMETOOLONG;
    memcpy(sa.sun_path + 1, path + 1, plen - 1);
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
    return 0;
  }
  if (plen < sizeof sa.sun_path) {
    memcpy(sa.sun_path, path, plen + 1);
    len = (socklen_t)sizeof sa;
    return 0;
  }
  const char* slash = strrchr(path, '/');
  char dir[4096];
  if (!slash || !DirOf(path, slash, dir, sizeof dir)) return -ENAMETOOLONG;
  int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  char* p = sa.sun_path;
  size_t cap = sizeof sa.sun_path;
  const char* prefix = "/proc/self/fd/";
  size_t n = strlen(prefix);
  memcpy(p, prefix, n);
  char num[24];
  size_t k = 0;
  for (int v = fd; v > 0 || k == 0; v /= 10) num[k++] = (char)('0' + v % 10);
  while (k > 0) p[n++] = num[--k];
  size_t blen = strlen(slash);  // "/base"
  if (n + blen >= cap) {
    close(fd);
    return -ENAMETOOLONG;
  }
  memcpy(p + n, slash, blen + 1);
  len = (socklen_t)sizeof sa;
  *dirfd = fd;
  return 0;
}

}  // namespace

int SdNotifySend(const char* path, const char* msg, size_t n) {
  struct sockaddr_un sa;
  socklen_t len;
  int dirfd;
  int rc = Address(path, sa, len, &dirfd);
  if (rc < 0) return rc;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) rc = -errno;
  while (fd >= 0) {
    ssize_t sent = sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr*)&sa, len);
    if (sent < 0 && errno == EINTR) continue;
    rc = sent < 0 ? -errno : 0;
    break;
  }
  if (fd >= 0) close(fd);
  if (dirfd >= 0) close(dirfd);
  return rc;
}

int SdNotifyListen(const char* path) {
  struct sockaddr_un sa;
  socklen_t len;
  int dirfd;
  if (path[0] == '@') return -EINVAL;
  int rc = Address(path, sa, len, &dirfd);
  if (rc < 0) return rc;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) rc = -errno;
  if (fd >= 0) {
    unlink(path);
    if (bind(fd, (struct sockaddr*)&sa, len) != 0) {
      rc = -errno;
      close(fd);
      fd = -1;
    } else {
      // Any user of the container may announce it is ready (the directory limits who can reach it).
      chmod(path, 0777);
      rc = fd;
    }
  }
  if (dirfd >= 0) close(dirfd);
  return rc;
}

}  // namespace husk
