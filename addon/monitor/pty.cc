// With --tty: the pty master arrives from the container's init over the
// console socket (SCM_RIGHTS, exactly one message), becomes the output fd and
// the stdin sink, and gets the window size clients ask for.
#include "monitor/monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace husk {
namespace {

// Keeps the first fd of the SCM_RIGHTS messages in m.master_fd, closes others.
void TakeFds(Monitor& m, struct msghdr& mh) {
  for (struct cmsghdr* cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    int nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    int fds[4];
    memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)(nfd > 4 ? 4 : nfd));
    for (int i = 0; i < nfd && i < 4; i++) {
      if (m.master_fd < 0) {
        m.master_fd = fds[i];
      } else {
        close(fds[i]);
      }
    }
  }
}

void UseMaster(Monitor& m) {
  SetNonblockCloexec(m.master_fd);
  m.out_fd = m.master_fd;
  m.stdin_sink = m.master_fd;
  m.stdin_sink_is_master = true;
  if (m.have_pending_ws) ioctl(m.master_fd, TIOCSWINSZ, &m.pending_ws);
  m.have_pending_ws = false;
}

}  // namespace

// The console socket is readable: receive the master (or learn it will not
// come). Either way the console socket is closed afterwards.
void ReceiveMaster(Monitor& m) {
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
    n = recvmsg(m.console_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  int recv_err = n < 0 ? errno : 0;
  if (n < 0) mh.msg_controllen = 0;
  TakeFds(m, mh);
  // Exactly one message is expected: done with the console socket either way.
  close(m.console_fd);
  m.console_fd = -1;
  if (m.master_fd >= 0) {
    UseMaster(m);
  } else {
    m.stdin_len = 0;  // input queued for a master that will never come
  }
  if (m.master_fd < 0 && n != 0) {
    LogMonitorError(
        m.log, n < 0 ? "cannot receive the pty master" : "console socket message without a file descriptor",
        recv_err);
  }
}

// A client's resize frame. Before the master has arrived, the last size is
// remembered and applied on arrival.
void ResizePty(Monitor& m, unsigned short rows, unsigned short cols) {
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_row = rows;
  ws.ws_col = cols;
  if (m.master_fd >= 0) {
    ioctl(m.master_fd, TIOCSWINSZ, &ws);
  } else {
    m.pending_ws = ws;
    m.have_pending_ws = true;
  }
}

}  // namespace husk
