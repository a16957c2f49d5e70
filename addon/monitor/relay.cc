// The container's stdio. Output (pipes, or the pty master) goes to the log
// and to every attach client; input from clients is queued for the stdin
// pipe or the pty master and written without blocking.
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace husk {
namespace {

// With a tty, input that arrives before the pty master is queued for it.
bool StdinAccepting(const Monitor& m) {
  if (m.stdin_sink >= 0) return true;
  return m.opt.tty && m.console_fd >= 0;
}

bool GrowStdinBuf(Monitor& m, size_t need) {
  size_t nc = m.stdin_cap ? m.stdin_cap : 4096;
  while (nc < need) nc *= 2;
  char* nb = (char*)realloc(m.stdin_buf, nc);
  if (!nb) return false;
  m.stdin_buf = nb;
  m.stdin_cap = nc;
  return true;
}

}  // namespace

// The fds the addon passed: pipes (--stdio-fds), or the console socket the
// pty master will arrive on (--console-fd, see pty.cc).
void SetupStdio(Monitor& m) {
  if (m.opt.have_stdio) {
    m.out_fd = m.opt.stdout_fd;
    m.err_fd = m.opt.stderr_fd;
    if (m.out_fd >= 0) SetNonblockCloexec(m.out_fd);
    if (m.err_fd >= 0) SetNonblockCloexec(m.err_fd);
    if (m.opt.stdin_fd >= 0) {
      SetNonblockCloexec(m.opt.stdin_fd);
      m.stdin_sink = m.opt.stdin_fd;
    }
  } else {
    m.console_fd = m.opt.console_fd;
    fcntl(m.console_fd, F_SETFD, FD_CLOEXEC);
  }
}

// One read from *fdp: logged and sent to the clients. On EOF (or EIO from a
// pty master whose slave side is gone) the fd is closed and set to -1.
void ReadOutput(Monitor& m, int* fdp, bool is_stderr) {
  ssize_t n;
  do {
    n = read(*fdp, m.read_buf, sizeof m.read_buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    if (*fdp == m.master_fd) {
      // Keep the master open for nothing else: stdin to it is pointless now.
      m.stdin_sink = -1;
      m.stdin_len = 0;
      m.master_fd = -1;
    }
    close(*fdp);
    *fdp = -1;
    return;
  }
  LogChunk(m.log, is_stderr, m.read_buf, (size_t)n);
  Broadcast(m, is_stderr ? kStderr : kStdout, m.read_buf, (size_t)n);
}

// Closes the stdin pipe (never the pty master) and forgets queued input.
void CloseStdinPipe(Monitor& m) {
  if (m.stdin_sink >= 0 && !m.stdin_sink_is_master) close(m.stdin_sink);
  if (!m.stdin_sink_is_master) m.stdin_sink = -1;
  m.stdin_len = 0;
}

void FlushStdin(Monitor& m) {
  while (m.stdin_sink >= 0 && m.stdin_len > 0) {
    ssize_t w = write(m.stdin_sink, m.stdin_buf, m.stdin_len);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      // EPIPE (reader gone), EIO (pty slave closed), ...: discard input.
      m.stdin_len = 0;
      if (!m.stdin_sink_is_master) CloseStdinPipe(m);
      break;
    }
    memmove(m.stdin_buf, m.stdin_buf + w, m.stdin_len - (size_t)w);
    m.stdin_len -= (size_t)w;
  }
  if (m.stdin_len == 0 && m.stdin_eof_pending && !m.stdin_sink_is_master && m.stdin_sink >= 0) {
    CloseStdinPipe(m);
  }
}

void QueueStdin(Monitor& m, const char* p, size_t n) {
  if (!StdinAccepting(m) || m.stdin_eof_pending || n == 0) return;
  if (m.stdin_len + n > m.stdin_cap && !GrowStdinBuf(m, m.stdin_len + n)) return;
  memcpy(m.stdin_buf + m.stdin_len, p, n);
  m.stdin_len += n;
  FlushStdin(m);
  if (m.stdin_len == 0 && m.stdin_cap > 64 * 1024) {  // give back big buffers
    free(m.stdin_buf);
    m.stdin_buf = nullptr;
    m.stdin_cap = 0;
  }
}

// A client's "stdin EOF": the pipe is closed once the queue is written.
// Nothing to close with a tty.
void StdinEof(Monitor& m) {
  if (!m.stdin_sink_is_master && m.stdin_sink >= 0) {
    m.stdin_eof_pending = true;
    FlushStdin(m);
  }
}

// After the container's exit input is pointless; clients are still read
// (for "cleanup taken").
void StopStdin(Monitor& m) {
  if (m.stdin_sink >= 0 && !m.stdin_sink_is_master) CloseStdinPipe(m);
  m.stdin_len = 0;
}

}  // namespace husk
