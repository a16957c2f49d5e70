// After the container's exit: the exit file (atomically, before any client
// hears of the exit), the exit frame, and closing everything.
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>  // rename() only; no stdio streams are used
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace husk {
namespace {

void Append(char* buf, size_t& n, const char* s) {
  size_t len = strlen(s);
  memcpy(buf + n, s, len);
  n += len;
}

// {"exitCode":137,"finishedAt":"2026-11-22T07:06:38.123456789Z"}\n via
// <path>.tmp and rename.
void WriteExitFile(Monitor& m, const char* finished_at) {
  const char* path = m.opt.exit_file;
  size_t plen = strlen(path);
  char* tmp = (char*)malloc(plen + 5);
  if (!tmp) return;
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp", 5);
  char buf[128];
  size_t n = 0;
  Append(buf, n, "{\"exitCode\":");
  n += FormatInt(buf + n, m.exit_code);
  Append(buf, n, ",\"finishedAt\":\"");
  memcpy(buf + n, finished_at, kTimeLen);
  n += kTimeLen;
  Append(buf, n, "\"}\n");
  int fd;
  do {
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    LogMonitorError(m.log, "cannot create exit file", errno);
    free(tmp);
    return;
  }
  // No fsync: it sits between the container's exit and the exit frame every
  // client waits for; the rename keeps the file whole (as conmon does it).
  WriteAll(fd, buf, n);
  close(fd);
  if (rename(tmp, path) != 0) LogMonitorError(m.log, "cannot rename exit file", errno);
  free(tmp);
}

// The "die" event: husk gave everything but the time and the exit code, and
// one write with O_APPEND keeps the line whole among concurrent writers.
void AppendDieEvent(Monitor& m, const char* finished_at) {
  if (!m.opt.event_log || !m.opt.event_prefix) return;
  size_t plen = strlen(m.opt.event_prefix);
  char* buf = (char*)malloc(plen + kTimeLen + 64);
  if (!buf) return;
  size_t n = 0;
  Append(buf, n, m.opt.event_prefix);
  Append(buf, n, ",\"time\":\"");
  memcpy(buf + n, finished_at, kTimeLen);
  n += kTimeLen;
  Append(buf, n, "\",\"exitCode\":");
  n += FormatInt(buf + n, m.exit_code);
  Append(buf, n, "}\n");
  int fd;
  do {
    fd = open(m.opt.event_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0) {
    WriteAll(fd, buf, n);
    close(fd);
  }
  free(buf);
}

}  // namespace

// Exit file, then exit frame. A client that already took the cleanup (husk
// run --rm) removes the container as soon as it hears the exit: the file
// would be written only to be deleted.
void AnnounceExit(Monitor& m) {
  char finished_at[kTimeLen + 1];
  FormatTime(finished_at, m.finished_ts);
  finished_at[kTimeLen] = 0;
  if (!m.any_cleanup_taken) WriteExitFile(m, finished_at);
  AppendDieEvent(m, finished_at);
  m.exit_sent = true;
  BroadcastExit(m);
}

// Last best-effort flush to the clients, then every fd closed, the attach
// socket unlinked and the buffers freed.
void CloseAll(Monitor& m) {
  for (int i = 0; i < m.n_clients; i++) FlushClient(m.clients[i]);
  CloseAttachSocket(m);
  CloseNotify(m);
  while (m.n_clients > 0) DropClient(m, m.n_clients - 1);
  if (m.out_fd >= 0) close(m.out_fd);
  if (m.err_fd >= 0) close(m.err_fd);
  if (m.master_fd >= 0 && m.master_fd != m.out_fd) close(m.master_fd);
  free(m.stdin_buf);
  m.stdin_buf = nullptr;
  m.stdin_len = m.stdin_cap = 0;
}

}  // namespace husk
