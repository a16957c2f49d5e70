#pragma once
// In a child just forked from Node (every signal blocked across the fork):
// dispositions back to their defaults (Node ignores SIGPIPE, and an ignored
// signal stays ignored across execve) and nothing blocked. Async-signal-safe.
#include <csignal>
#include <cstring>

inline void ResetSignalsInChild() {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}
