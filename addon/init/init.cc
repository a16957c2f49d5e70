// husk-init: the tiny init of `--init`, PID 1 of a container. It starts the
// command as its only child, forwards every signal it can catch to it, reaps
// the zombies that orphans leave behind, and exits as the child did
// (128 + signal when killed), the way tini and catatonit do.
//
//   husk-init [--] PROGRAM [ARGS...]
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

namespace {

int fail(const char* what, int err) {
  fprintf(stderr, "husk-init: %s: %s\n", what, strerror(err));
  return 127;
}

// Signals delivered to the child rather than acted upon by us.
bool forwarded(int sig) {
  return sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP && sig != SIGTTIN && sig != SIGTTOU && sig != SIGTSTP;
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  if (first < argc && strcmp(argv[first], "--") == 0) first++;
  if (first >= argc) {
    fputs("usage: husk-init [--] PROGRAM [ARGS...]\n", stderr);
    return 125;
  }
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);

  pid_t child = fork();
  if (child < 0) return fail("fork", errno);
  if (child == 0) {
    // The child gets the signal mask and dispositions a program expects.
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    // Its own process group, in the foreground of the terminal if there is one.
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) {
      signal(SIGTTOU, SIG_IGN);
      tcsetpgrp(STDIN_FILENO, getpid());
      signal(SIGTTOU, SIG_DFL);
    }
    execvp(argv[first], argv + first);
    int e = errno;
    fprintf(stderr, "husk-init: %s: %s\n", argv[first], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      return fail("sigwaitinfo", errno);
    }
    if (sig != SIGCHLD) {
      if (forwarded(sig)) kill(child, sig);
      continue;
    }
    // Reap everything that exited: the child, and orphans handed to PID 1.
    for (;;) {
      int status;
      pid_t p = waitpid(-1, &status, WNOHANG);
      if (p <= 0) break;
      if (p == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
}
