// The command lines of both modes (README.md lists them). Anything wrong: a
// message and the usage on stderr, exit status 2.
#include "net/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

namespace husk {
namespace {

[[noreturn]] void Usage(const char* msg, const char* arg) {
  WriteStr(2, "husk-net: ");
  WriteStr(2, msg);
  if (arg) {
    WriteStr(2, ": ");
    WriteStr(2, arg);
  }
  WriteStr(2,
           "\nusage: husk-net forward --pid PID --ready-fd N [--userns PATH] [--netns PATH]\n"
           "         [--publish PROTO:HOSTIP:HOSTPORT:TARGETIP:TARGETPORT]... [--outbound-fd-arg]\n"
           "         [--outbound -- PROGRAM ARGS...]\n"
           "       husk-net hold --socket PATH --lock PATH --ready-fd N [--uidmap \"C H N...\"]\n"
           "         [--gidmap \"C H N...\"] [--newuidmap] [--outbound -- PROGRAM ARGS...]\n");
  _exit(2);
}

// "--outbound -- PROGRAM ARGS...": the rest of the command line.
void TakeOutbound(int i, int argc, char** argv, Outbound& o) {
  if (i < argc && !strcmp(argv[i], "--")) i++;
  if (i >= argc) Usage("--outbound needs a program", nullptr);
  o.argv = argv + i;
  o.argc = argc - i;
  FindPidFile(o);
}

// The outbound options both modes take: true when argv[i] was one; *rest
// when it was --outbound, which takes the rest of the command line.
bool TakeOutboundOption(int i, int argc, char** argv, Outbound& o, bool* rest) {
  const char* k = argv[i];
  if (!strcmp(k, "--outbound")) {
    TakeOutbound(i + 1, argc, argv, o);
    *rest = true;
    return true;
  }
  if (!strcmp(k, "--outbound-fd-arg")) {
    o.fd_arg = true;
    return true;
  }
  return false;
}

void CheckOutbound(const Outbound& o) {
  if (o.argv && !o.fd_arg && !o.pid_file) Usage("--outbound needs --outbound-fd-arg or a pid file (-P PATH)", o.argv[0]);
}

int IntValue(const char* k, const char* v) {
  int n;
  if (!ParseInt(v, &n)) Usage("bad number", k);
  return n;
}

// An address of a --publish: "", "1.2.3.4" or "[::1]" up to the next ':'.
// Returns the position after the ':' or null.
const char* ParseHost(const char* s, sockaddr_storage& a, bool allow_empty) {
  char buf[INET6_ADDRSTRLEN + 1];
  const char* end;
  bool v6 = *s == '[';
  if (v6) {
    end = strchr(s, ']');
    if (!end || end[1] != ':') return nullptr;
    s++;
  } else {
    end = strchr(s, ':');
    if (!end) return nullptr;
  }
  size_t n = (size_t)(end - s);
  if (n >= sizeof buf) return nullptr;
  memcpy(buf, s, n);
  buf[n] = 0;
  const char* next = v6 ? end + 2 : end + 1;
  if (v6) {
    auto* s6 = (sockaddr_in6*)&a;
    s6->sin6_family = AF_INET6;
    return inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1 ? next : nullptr;
  }
  auto* s4 = (sockaddr_in*)&a;
  s4->sin_family = AF_INET;
  if (n == 0) return allow_empty ? next : nullptr;  // all addresses: 0.0.0.0
  return inet_pton(AF_INET, buf, &s4->sin_addr) == 1 ? next : nullptr;
}

bool SetPort(sockaddr_storage& a, const char* s, size_t n, bool allow_zero) {
  char buf[8];
  int port;
  if (n == 0 || n >= sizeof buf) return false;
  memcpy(buf, s, n);
  buf[n] = 0;
  if (!ParseInt(buf, &port) || port < 0 || port > 65535 || (port == 0 && !allow_zero)) return false;
  if (a.ss_family == AF_INET6) {
    ((sockaddr_in6*)&a)->sin6_port = htons((uint16_t)port);
  } else {
    ((sockaddr_in*)&a)->sin_port = htons((uint16_t)port);
  }
  return true;
}

socklen_t AddrLen(const sockaddr_storage& a) {
  return a.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

}  // namespace

// pasta writes its pid file only once the namespace is configured
// (README.md, "Outbound readiness").
void FindPidFile(Outbound& o) {
  o.pid_file = nullptr;
  for (int k = 1; k < o.argc; k++) {
    const char* a = o.argv[k];
    if ((!strcmp(a, "-P") || !strcmp(a, "--pid")) && k + 1 < o.argc) o.pid_file = o.argv[k + 1];
    if (!strncmp(a, "--pid=", 6)) o.pid_file = a + 6;
  }
}

// PROTO:HOSTIP:HOSTPORT:TARGETIP:TARGETPORT
bool ParsePublish(const char* spec, Publish& p) {
  p.spec = spec;
  if (!strncmp(spec, "tcp:", 4)) {
    p.udp = false;
  } else if (!strncmp(spec, "udp:", 4)) {
    p.udp = true;
  } else {
    return false;
  }
  const char* s = ParseHost(spec + 4, p.host, true);
  if (!s) return false;
  const char* colon = strchr(s, ':');
  if (!colon || !SetPort(p.host, s, (size_t)(colon - s), true)) return false;
  s = ParseHost(colon + 1, p.target, false);
  if (!s || !SetPort(p.target, s, strlen(s), false)) return false;
  p.host_len = AddrLen(p.host);
  p.target_len = AddrLen(p.target);
  return true;
}

void ParseForwardArgs(int argc, char** argv, ForwardOptions& opt) {
  bool rest = false;
  for (int i = 2; i < argc && !rest; i++) {
    const char* k = argv[i];
    if (TakeOutboundOption(i, argc, argv, opt.out, &rest)) continue;
    if (i + 1 >= argc) Usage("missing value", k);
    const char* v = argv[++i];
    if (!strcmp(k, "--pid")) {
      opt.pid = IntValue(k, v);
    } else if (!strcmp(k, "--ready-fd")) {
      opt.ready_fd = IntValue(k, v);
    } else if (!strcmp(k, "--userns")) {
      opt.userns = v;
    } else if (!strcmp(k, "--netns")) {
      opt.netns = v;
    } else if (!strcmp(k, "--publish")) {
      if (opt.n_publish == kMaxPublish) Usage("too many --publish", v);
      if (!ParsePublish(v, opt.publish[opt.n_publish++])) Usage("bad --publish", v);
    } else if (!strcmp(k, "--container")) {
      // Only for ps and pgrep: whose forwarder this is (the container's run dir).
    } else {
      Usage("unknown option", k);
    }
  }
  if (opt.pid <= 0) Usage("--pid is required", nullptr);
  if (opt.ready_fd < 0) Usage("--ready-fd is required", nullptr);
  CheckOutbound(opt.out);
}

void ParseHoldArgs(int argc, char** argv, HoldOptions& opt) {
  bool rest = false;
  for (int i = 2; i < argc && !rest; i++) {
    const char* k = argv[i];
    if (TakeOutboundOption(i, argc, argv, opt.out, &rest)) continue;
    if (!strcmp(k, "--newuidmap")) {
      opt.newuidmap = true;
      continue;
    }
    if (i + 1 >= argc) Usage("missing value", k);
    const char* v = argv[++i];
    if (!strcmp(k, "--socket")) {
      opt.socket = v;
    } else if (!strcmp(k, "--lock")) {
      opt.lock = v;
    } else if (!strcmp(k, "--ready-fd")) {
      opt.ready_fd = IntValue(k, v);
    } else if (!strcmp(k, "--uidmap")) {
      opt.uidmap = v;
    } else if (!strcmp(k, "--gidmap")) {
      opt.gidmap = v;
    } else {
      Usage("unknown option", k);
    }
  }
  if (!opt.socket || !opt.lock) Usage("--socket and --lock are required", nullptr);
  if (opt.ready_fd < 0) Usage("--ready-fd is required", nullptr);
  if (!opt.uidmap != !opt.gidmap) Usage("--uidmap and --gidmap go together", nullptr);
  CheckOutbound(opt.out);
}

}  // namespace husk
