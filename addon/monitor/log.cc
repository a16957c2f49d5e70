// The container log in podman's k8s-file format: one record per line,
// "<time> <stream> <F|P> <text>". Every call writes its records before it
// returns; the buffer only assembles one call's records into few writes.
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

namespace husk {
namespace {

void Flush(Log& log) {
  if (log.len && log.fd >= 0) WriteAll(log.fd, log.buf, log.len);
  log.len = 0;
}

void Append(Log& log, const char* p, size_t n) {
  while (n > 0) {
    if (log.len == sizeof log.buf) Flush(log);
    size_t take = sizeof log.buf - log.len;
    if (take > n) take = n;
    memcpy(log.buf + log.len, p, take);
    log.len += take;
    p += take;
    n -= take;
  }
}

void AppendStr(Log& log, const char* s) {
  Append(log, s, strlen(s));
}

}  // namespace

// A log that cannot be opened is not written (fd stays -1); the container
// runs anyway.
void OpenLog(Log& log, const char* path) {
  do {
    log.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  } while (log.fd < 0 && errno == EINTR);
}

// Logs one chunk of output as k8s-file records: every complete line is an
// "F" record; a trailing piece without newline is a "P" record.
void LogChunk(Log& log, bool is_stderr, const char* data, size_t n) {
  if (log.fd < 0 || n == 0) return;
  char hdr[kTimeLen + 12];
  FormatNow(hdr);
  const char* stream = is_stderr ? " stderr " : " stdout ";
  memcpy(hdr + kTimeLen, stream, 8);
  size_t hdr_base = kTimeLen + 8;
  size_t i = 0;
  while (i < n) {
    const char* nl = (const char*)memchr(data + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - data) : n;
    hdr[hdr_base] = nl ? 'F' : 'P';
    hdr[hdr_base + 1] = ' ';
    Append(log, hdr, hdr_base + 2);
    Append(log, data + i, end - i);
    Append(log, "\n", 1);
    i = nl ? end + 1 : n;
  }
  Flush(log);
}

// "<time> stderr F husk-monitor: <msg>[: <strerror(err)>]".
void LogMonitorError(Log& log, const char* msg, int err) {
  if (log.fd < 0) return;
  char hdr[kTimeLen + 16];
  FormatNow(hdr);
  memcpy(hdr + kTimeLen, " stderr F ", 10);
  Append(log, hdr, kTimeLen + 10);
  AppendStr(log, "husk-monitor: ");
  AppendStr(log, msg);
  if (err) {
    Append(log, ": ", 2);
    AppendStr(log, strerror(err));
  }
  Append(log, "\n", 1);
  Flush(log);
}

}  // namespace husk
