// husk-net: port forwarding and outbound networking for rootless containers,
// and the holder of the rootless shared network namespace.
//
//   husk-net forward: one per started container, lives as long as its init.
//     Binds the published ports in the host's network namespace, joins the
//     container's namespaces, and relays every connection and datagram from
//     the host socket to a socket made inside the container's namespace
//     (podman's rootlessport trick). Babysits pasta/slirp4netns.
//   husk-net hold: keeps a user + network namespace alive without a daemon
//     while some watched process lives.
//
// See addon/net/README.md for the protocol and every step. Single-threaded,
// static, plain C-style C++ over glibc like husk-monitor: no exceptions, no
// stdio streams, state in one struct per mode passed by reference.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/strio.h"

namespace husk {

// ---------------------------------------------------------------- constants

constexpr int kMaxPublish = 64;
constexpr int kBacklog = 512;
constexpr int kPipeSize = 1 << 20;      // per direction, F_SETPIPE_SZ (pipe-max-size allowing)
constexpr size_t kCopyBuf = 64 * 1024;  // read/write fallback when splice is refused
constexpr int kMaxFlows = 1024;         // UDP flows, the oldest is dropped beyond this
constexpr long long kFlowIdleMs = 60000;
constexpr long long kOutboundReadyMs = 10000;
constexpr long long kHoldGraceMs = 30000;  // hold: exit if nothing was ever watched for this long
constexpr int kLockRetryMs = 100;
constexpr int kMaxWatched = 4096;
constexpr int kMaxHoldClients = 16;

// ---------------------------------------------------------------- options

struct Publish {
  bool udp = false;
  sockaddr_storage host{};  // port 0: the kernel picks
  sockaddr_storage target{};
  socklen_t host_len = 0, target_len = 0;
  const char* spec = nullptr;
};

// The outbound program (pasta, slirp4netns) and how to know it is ready.
struct Outbound {
  char** argv = nullptr;    // null-terminated, argv[0] looked up in PATH
  int argc = 0;
  bool fd_arg = false;      // append --ready-fd=K, wait for a byte on it (slirp4netns)
  const char* pid_file = nullptr;  // else: the -P/--pid of pasta, written once it is configured
  pid_t pid = -1;
  int ready_fd = -1;        // our end of the readiness pipe
};

struct ForwardOptions {
  int pid = -1;
  int ready_fd = -1;
  const char* userns = nullptr;
  const char* netns = nullptr;
  Publish publish[kMaxPublish];
  int n_publish = 0;
  Outbound out;
};

struct HoldOptions {
  const char* socket = nullptr;
  const char* lock = nullptr;
  int ready_fd = -1;
  const char* uidmap = nullptr;  // "C H N ...": triples
  const char* gidmap = nullptr;
  bool newuidmap = false;
  Outbound out;
};

// ---------------------------------------------------------------- epoll tags

// epoll_event.data.ptr points at one of these, inside the object owning the fd.
enum Kind : uint8_t { kSignal, kReady, kPidfd, kTcpListen, kUdpListen, kClient, kTarget, kFlow, kHoldListen, kHoldClient, kWatched };

struct Tag {
  Kind kind;
  int fd = -1;
};

// ---------------------------------------------------------------- forward state

// One direction of a TCP connection: src -> pipe (or buf) -> dst.
struct Dir {
  int src = -1, dst = -1;
  int pipe_r = -1, pipe_w = -1;
  size_t pending = 0, cap = 0;  // bytes in the pipe / buffer, its capacity
  char* buf = nullptr;          // read/write fallback only
  size_t off = 0;
  bool eof = false, shut = false;
};

struct Conn {
  Tag client{kClient}, target{kTarget};
  Dir up, down;  // up: client -> target, down: target -> client
  bool connecting = true;
  bool dead = false;  // closed; freed after the current epoll batch
  Conn *prev = nullptr, *next = nullptr;
};

struct Listener {
  Tag tag;
  const Publish* pub = nullptr;
  int port = 0;  // bound host port
};

struct Flow {
  Tag tag{kFlow};
  int listener = -1;  // index into Forward::listeners
  sockaddr_storage client{};
  socklen_t client_len = 0;
  long long last = 0;
};

struct Forward {
  ForwardOptions opt;
  int epfd = -1;
  Tag sig{kSignal}, ready{kReady}, pidfd{kPidfd};
  Listener listeners[kMaxPublish];
  int n_listeners = 0;
  Conn* conns = nullptr;
  Conn* dead = nullptr;  // closed in this batch: later events may still name them
  Flow* flows = nullptr;  // kMaxFlows, allocated with the first flow
  int n_flows = 0;
  bool accept_blocked = false;  // EMFILE: retry accepting after a close
  bool splice_ok = true;
  bool done = false;
};

// ---------------------------------------------------------------- hold state

struct HoldClient {
  Tag tag{kHoldClient};
  char line[128];
  size_t len = 0;
};

struct Hold {
  HoldOptions opt;
  int epfd = -1;
  Tag sig{kSignal}, listen{kHoldListen};
  HoldClient clients[kMaxHoldClients];
  Tag* watched = nullptr;  // kMaxWatched pidfds
  int n_watched = 0;
  bool ever_watched = false;
  long long started = 0;
  int lock_fd = -1;
  bool lock_logged = false;  // the lock file could not be opened: said once
  bool done = false;
};

// ---------------------------------------------------------------- functions

// util.cc
long long MonotonicMs();
void LogError(const char* what, int err);  // "husk-net: what: strerror\n" on stderr
void ErrorLine(int fd, const char* a, const char* b, const char* c);  // "error a b: c\n" on the ready fd
size_t FormatAddr(char* buf, const sockaddr_storage& a);  // "1.2.3.4:80", "[::1]:80"
int PidfdOpen(pid_t pid);
int SetupSignals();   // signalfd: SIGCHLD, SIGTERM, SIGINT (blocked); SIGPIPE ignored
void RaiseFdLimit();
void EpollAdd(int epfd, Tag* tag, uint32_t events);

// args.cc
void ParseForwardArgs(int argc, char** argv, ForwardOptions& opt);
void ParseHoldArgs(int argc, char** argv, HoldOptions& opt);
bool ParsePublish(const char* spec, Publish& p);
void FindPidFile(Outbound& o);

// outbound.cc: start the program (as a child that dies with us), wait until ready.
// `err` gets the error line's text on failure; returns false then. With
// gate >= 0 the child execs only after reading a byte from it.
bool StartOutbound(Outbound& o, int gate, char* err, size_t err_len);
bool WaitOutboundReady(Outbound& o, int sig_fd, char* err, size_t err_len);
void StopOutbound(Outbound& o);
void ReapOutbound(Outbound& o, bool expected);

// publish.cc
bool BindListeners(Forward& f);

// tcp.cc
void AcceptTcp(Forward& f, Listener& l);
void ServiceConn(Forward& f, Conn* c, bool is_client);
void FreeDeadConns(Forward& f);
void CloseAllConns(Forward& f);

// udp.cc
void ReadUdpListener(Forward& f, int idx);
void ReadFlow(Forward& f, Flow* fl);
int ExpireFlows(Forward& f);  // returns ms until the next expiry, or -1
void CloseAllFlows(Forward& f);

// forward.cc, hold.cc: the two lives.
int RunForward(int argc, char** argv);
int RunHold(int argc, char** argv);

}  // namespace husk
