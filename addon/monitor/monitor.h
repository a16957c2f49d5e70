// husk-monitor: the per-container monitor (conmon's counterpart).
//
// One process per container, parent of the container's init. Owns the
// container's stdio (pipes or pty master), writes the k8s-file log, serves the
// attach socket, records the exit status and runs the cleanup command.
// See addon/monitor/README.md for the contract and for which file does what.
//
// All of the monitor's state is one Monitor, created in main() and passed by
// reference; there are no other globals. Deliberately plain C-style C++ over
// glibc: no iostream, no exceptions, no stdio streams. It is linked statically
// and must stay well under 1 MB of RSS.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/ioctl.h>  // struct winsize
#include <time.h>

#include "common/strio.h"

namespace husk {

// ---------------------------------------------------------------- constants

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kLogBufSize = 64 * 1024;
constexpr size_t kClientOutMax = 1024 * 1024;  // per-client backlog before drop
constexpr size_t kStdinMax = 1024 * 1024;      // stop reading clients above this
constexpr int kDrainMs = 2000;                 // output drain after exit
constexpr int kClientWaitMs = 5000;            // wait for "cleanup taken"
constexpr int kMaxClients = 256;

// Attach protocol frame types: [u8 type][u32 BE length][payload].
enum FrameType : uint8_t {
  kStdin = 0,
  kStdout = 1,
  kStderr = 2,
  kExit = 3,
  kResize = 4,
  kStdinEof = 5,
  kCleanupTaken = 6,
};

// RFC 3339 with nanoseconds, UTC: "2026-11-22T07:06:37.123456789Z".
constexpr size_t kTimeLen = 30;

// ---------------------------------------------------------------- state

// The command line (args.cc); read-only afterwards.
struct Options {
  const char* id = nullptr;
  const char* log = nullptr;
  const char* attach = nullptr;
  const char* exit_file = nullptr;
  bool tty = false;
  bool stdin_open = false;  // --stdin: informational; the stdin fd in --stdio-fds decides
  int pid = -1;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  bool have_stdio = false;
  int console_fd = -1;
  int client_fd = -1;             // a client connected from the start (husk run's end of a socketpair)
  char** cleanup_argv = nullptr;  // null-terminated
  int cleanup_argc = 0;
  char** health_argv = nullptr;  // `husk healthcheck run ID`, every health_interval ms
  int health_argc = 0;
  int health_interval = 0;
  int owner_pid = -1;  // --owner-pid: the container dies with this process (a build's RUN step)
  const char* event_log = nullptr;     // --event-log: the user's events log, for the "die" event
  const char* event_prefix = nullptr;  // --event-prefix: that event's JSON, without its time, exit code and "}"
  const char* notify_socket = nullptr;  // --notify-socket: where the container's sd_notify messages arrive
  const char* notify_target = nullptr;  // --notify-target: systemd's $NOTIFY_SOCKET, where they go
};

// The log file and the buffer one chunk's records are assembled in (log.cc).
struct Log {
  int fd = -1;
  size_t len = 0;
  char buf[kLogBufSize];
};

// One attach client (clients.cc): the frame being read from it, and the
// output it could not take yet.
struct Client {
  int fd;
  uint8_t hdr[5];
  int hdr_len;
  uint32_t remain;
  uint8_t type;
  uint8_t small[8];
  int small_len;
  bool taken;  // sent "cleanup taken"
  bool done;   // sent "cleanup taken" after the exit frame: it writes nothing more
  char* out;
  size_t out_len, out_cap;
};

struct Monitor {
  Options opt;

  // Container output (relay.cc): pipes, or out_fd = the pty master.
  int out_fd = -1, err_fd = -1;

  // Container input (relay.cc): the stdin pipe's write end or the pty master
  // (then shared with output), and what clients sent that it has not taken.
  int stdin_sink = -1;
  bool stdin_sink_is_master = false;
  char* stdin_buf = nullptr;
  size_t stdin_len = 0, stdin_cap = 0;
  bool stdin_eof_pending = false;

  // Pty (pty.cc). console_fd: until the pty master has been received.
  int console_fd = -1;
  int master_fd = -1;
  struct winsize pending_ws = {};  // last size asked for before the master arrived
  bool have_pending_ws = false;

  // Attach socket and clients (attach.cc, clients.cc).
  int listen_fd = -1;
  Client* clients[kMaxClients] = {};
  int n_clients = 0;
  bool any_cleanup_taken = false;

  // Signals (loop.cc): SIGCHLD and the ignored SIGTERM/SIGINT/SIGHUP.
  int sig_fd = -1;

  // The container's init (container.cc) and its end (exit.cc).
  int child_pidfd = -1;  // only if the container init is (impossibly) not our child
  int owner_pidfd = -1;  // --owner-pid's process, while it lives
  bool child_exited = false;
  struct timespec finished_ts = {};
  int exit_code = -1;
  bool exit_sent = false;

  // The container's sd_notify socket (notify.cc), with --notify-socket.
  int notify_fd = -1;

  // Healthcheck (commands.cc).
  pid_t health_pid = -1;       // a healthcheck still running: the next one waits
  long long next_health = -1;  // monotonic ms; -1: no healthcheck

  Log log;
  char read_buf[kReadChunk];  // one read of container output (relay.cc)
};

// ---------------------------------------------------------------- parts

// args.cc: fills `opt`; on a bad command line writes usage to stderr and
// exits with status 2.
void ParseArgs(int argc, char** argv, Options& opt);
void FreeOptions(Options& opt);

// util.cc
void FormatTime(char* out, const struct timespec& ts);  // kTimeLen chars, no NUL
void FormatNow(char* out);
long long MonotonicMs();
void SetNonblockCloexec(int fd);

// log.cc
void OpenLog(Log& log, const char* path);
void LogChunk(Log& log, bool is_stderr, const char* data, size_t n);
void LogMonitorError(Log& log, const char* msg, int err);

// relay.cc
void SetupStdio(Monitor& m);
void ReadOutput(Monitor& m, int* fdp, bool is_stderr);
void QueueStdin(Monitor& m, const char* p, size_t n);
void FlushStdin(Monitor& m);
void CloseStdinPipe(Monitor& m);
void StdinEof(Monitor& m);
void StopStdin(Monitor& m);

// pty.cc
void ReceiveMaster(Monitor& m);
void ResizePty(Monitor& m, unsigned short rows, unsigned short cols);

// attach.cc
void SetupAttach(Monitor& m);
void AcceptClients(Monitor& m);
void CloseAttachSocket(Monitor& m);

// clients.cc
bool AddClient(Monitor& m, int fd);
void DropClient(Monitor& m, int idx);
bool FlushClient(Client* c);
bool SendFrame(Client* c, uint8_t type, const char* data, size_t n);
void Broadcast(Monitor& m, uint8_t type, const char* data, size_t n);
bool SendExitFrame(Monitor& m, Client* c);
void BroadcastExit(Monitor& m);
void ServiceClient(Monitor& m, int fd, short revents);
bool AllClientsDone(const Monitor& m);

// container.cc
void WatchContainer(Monitor& m);
void ReapChildren(Monitor& m);
void ContainerGone(Monitor& m);
void WatchOwner(Monitor& m);
void OwnerGone(Monitor& m);

// exit.cc
void AnnounceExit(Monitor& m);
void CloseAll(Monitor& m);

// commands.cc
void StartHealthTimer(Monitor& m);
int HealthTimeout(const Monitor& m);
void RunHealthcheckIfDue(Monitor& m);
void RunCleanup(Monitor& m);

// notify.cc
void SetupNotify(Monitor& m);
void RelayNotify(Monitor& m);
void CloseNotify(Monitor& m);

// loop.cc
void SetupSignals(Monitor& m);
void PollOnce(Monitor& m, int timeout_ms);

}  // namespace husk
