// The command line: `--key value` options in any order (README.md lists
// them). Anything wrong: a message and the usage on stderr, exit status 2.
#include "monitor/monitor.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace husk {
namespace {

[[noreturn]] void Usage(const char* msg, const char* arg) {
  WriteStr(2, "husk-monitor: ");
  WriteStr(2, msg);
  if (arg) {
    WriteStr(2, ": ");
    WriteStr(2, arg);
  }
  WriteStr(2,
           "\nusage: husk-monitor --id ID --log PATH --attach PATH --exit PATH [--tty] [--stdin]\n"
           "       [--cleanup-arg ARG]... [--health-interval MS --health-arg ARG...] [--client-fd FD]\n"
           "       [--owner-pid PID] [--event-log PATH --event-prefix JSON]\n"
           "       [--notify-socket PATH --notify-target SOCKET]\n"
           "       --pid PID (--stdio-fds IN,OUT,ERR | --console-fd FD)\n");
  _exit(2);
}

bool TakesValue(const char* k) {
  return !strcmp(k, "--id") || !strcmp(k, "--log") || !strcmp(k, "--attach") || !strcmp(k, "--exit") ||
         !strcmp(k, "--cleanup-arg") || !strcmp(k, "--pid") || !strcmp(k, "--stdio-fds") ||
         !strcmp(k, "--console-fd") || !strcmp(k, "--client-fd") || !strcmp(k, "--health-arg") ||
         !strcmp(k, "--health-interval") || !strcmp(k, "--owner-pid") || !strcmp(k, "--event-log") ||
         !strcmp(k, "--event-prefix") || !strcmp(k, "--notify-socket") || !strcmp(k, "--notify-target");
}

// "IN,OUT,ERR": three fds, each >= -1. `v` is restored after parsing.
void ParseStdioFds(char* v, Options& opt) {
  int fds[3];
  char* s = v;
  for (int j = 0; j < 3; j++) {
    char* comma = strchr(s, ',');
    if ((j < 2) != (comma != nullptr)) Usage("bad --stdio-fds", v);
    if (comma) *comma = 0;
    bool ok = ParseInt(s, &fds[j]);
    if (comma) *comma = ',';
    if (!ok || fds[j] < -1) Usage("bad --stdio-fds", v);
    if (comma) s = comma + 1;
  }
  opt.stdin_fd = fds[0];
  opt.stdout_fd = fds[1];
  opt.stderr_fd = fds[2];
  opt.have_stdio = true;
}

void SetOption(const char* k, char* v, Options& opt) {
  if (!strcmp(k, "--id")) {
    opt.id = v;
  } else if (!strcmp(k, "--log")) {
    opt.log = v;
  } else if (!strcmp(k, "--attach")) {
    opt.attach = v;
  } else if (!strcmp(k, "--exit")) {
    opt.exit_file = v;
  } else if (!strcmp(k, "--cleanup-arg")) {
    opt.cleanup_argv[opt.cleanup_argc++] = v;
  } else if (!strcmp(k, "--health-arg")) {
    opt.health_argv[opt.health_argc++] = v;
  } else if (!strcmp(k, "--health-interval")) {
    if (!ParseInt(v, &opt.health_interval) || opt.health_interval <= 0) Usage("bad --health-interval", v);
  } else if (!strcmp(k, "--event-log")) {
    opt.event_log = v;
  } else if (!strcmp(k, "--event-prefix")) {
    opt.event_prefix = v;
  } else if (!strcmp(k, "--notify-socket")) {
    opt.notify_socket = v;
  } else if (!strcmp(k, "--notify-target")) {
    opt.notify_target = v;
  } else if (!strcmp(k, "--owner-pid")) {
    if (!ParseInt(v, &opt.owner_pid) || opt.owner_pid <= 0) Usage("bad --owner-pid", v);
  } else if (!strcmp(k, "--pid")) {
    if (!ParseInt(v, &opt.pid) || opt.pid <= 0) Usage("bad --pid", v);
  } else if (!strcmp(k, "--client-fd")) {
    if (!ParseInt(v, &opt.client_fd) || opt.client_fd < 3) Usage("bad --client-fd", v);
  } else if (!strcmp(k, "--console-fd")) {
    if (!ParseInt(v, &opt.console_fd) || opt.console_fd < 0) Usage("bad --console-fd", v);
  } else {  // --stdio-fds in,out,err
    ParseStdioFds(v, opt);
  }
}

}  // namespace

void ParseArgs(int argc, char** argv, Options& opt) {
  opt.cleanup_argv = (char**)calloc((size_t)argc + 1, sizeof(char*));
  opt.health_argv = (char**)calloc((size_t)argc + 1, sizeof(char*));
  if (!opt.cleanup_argv || !opt.health_argv) Usage("out of memory", nullptr);
  for (int i = 1; i < argc; i++) {
    const char* k = argv[i];
    if (!strcmp(k, "--tty")) {
      opt.tty = true;
      continue;
    }
    if (!strcmp(k, "--stdin")) {
      opt.stdin_open = true;
      continue;
    }
    if (!TakesValue(k)) Usage("unknown option", k);
    if (i + 1 >= argc) Usage("missing value for", k);
    SetOption(k, argv[++i], opt);
  }
  if (!opt.id) Usage("missing option", "--id");
  if (!opt.log) Usage("missing option", "--log");
  if (!opt.attach) Usage("missing option", "--attach");
  if (!opt.exit_file) Usage("missing option", "--exit");
  if (opt.pid <= 0) Usage("missing option", "--pid");
  // An interval with nothing to run would exec a null argv every interval.
  if (opt.health_interval > 0 && opt.health_argc == 0) Usage("--health-interval needs", "--health-arg");
  if ((opt.notify_socket == nullptr) != (opt.notify_target == nullptr)) Usage("--notify-socket and --notify-target go together", nullptr);
  if (opt.have_stdio == (opt.console_fd >= 0)) {
    Usage("exactly one of --stdio-fds and --console-fd is required", nullptr);
  }
}

void FreeOptions(Options& opt) {
  free(opt.cleanup_argv);
  free(opt.health_argv);
  opt.cleanup_argv = opt.health_argv = nullptr;
  opt.cleanup_argc = opt.health_argc = 0;
}

}  // namespace husk
