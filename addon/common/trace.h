// HUSK_TRACE for the native side: async-signal-safe marks, in milliseconds
// since the addon started building the plan, written to the fd chosen then.
#pragma once
#include <time.h>
#include <unistd.h>
#include "common/idmap.h"

struct NativeTrace {
  int fd = -1;
  struct timespec base = {0, 0};
};

inline NativeTrace g_native_trace;

inline void native_trace_start(int fd) {
  g_native_trace.fd = fd;
  clock_gettime(CLOCK_MONOTONIC, &g_native_trace.base);
}

inline void native_trace(const char* label) {
  if (g_native_trace.fd < 0) return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long us = (now.tv_sec - g_native_trace.base.tv_sec) * 1000000L + (now.tv_nsec - g_native_trace.base.tv_nsec) / 1000;
  char buf[160] = "husk-native +";
  size_t n = safe_strlen(buf);
  char num[24];
  safe_itoa(us / 1000, num, sizeof num);
  for (size_t i = 0; num[i] && n < 100; i++) buf[n++] = num[i];
  buf[n++] = '.';
  buf[n++] = char('0' + (us % 1000) / 100);
  buf[n++] = 'm';
  buf[n++] = 's';
  buf[n++] = ' ';
  for (size_t i = 0; label[i] && n < sizeof buf - 2; i++) buf[n++] = label[i];
  buf[n++] = '\n';
  ssize_t w = write(g_native_trace.fd, buf, n);
  (void)w;
}
