// One fd over a unix socket (SCM_RIGHTS) beside a small payload, for the
// addon and the processes it forks: no allocation, no locks, so these are
// safe between fork and exec.
#pragma once
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/types.h>

namespace husk {

union FdControl {
  char buf[CMSG_SPACE(sizeof(int))];
  struct cmsghdr align;
};

// Sends `len` bytes of `data` and, when fd >= 0, the fd. Returns sendmsg's result.
inline ssize_t send_with_fd(int sock, const void* data, size_t len, int fd) {
  struct iovec iov = {const_cast<void*>(data), len};
  FdControl u;
  memset(&u, 0, sizeof u);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fd >= 0) {
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t n;
  while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
  return n;
}

// Receives up to `len` bytes into `data`, and the fd that came with them
// (CLOEXEC) into *fd, else -1. Returns recvmsg's result.
inline ssize_t receive_with_fd(int sock, void* data, size_t len, int* fd) {
  *fd = -1;
  struct iovec iov = {data, len};
  FdControl u;
  memset(&u, 0, sizeof u);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
  struct cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(c), sizeof *fd);
  return n;
}

}  // namespace husk
