// spawnHelper(argv, {stderrPath}) -> {pid, fd}: starts a native helper that
// outlives husk (husk-net), as the monitor is started: fork, setsid, fork
// again so that Node never has to reap it, signals back to their defaults
// (Node ignores SIGPIPE, and an ignored signal stays ignored across execve),
// nothing of husk's open files but the helper's own: fd 3 is one end of a
// socketpair whose other end comes back here, /dev/null on 0 and 1, the log
// (or /dev/null) on 2. readLine(fd, timeoutMs) reads the helper's answer.
#include "src/helper_spawn.h"
#include "src/errors.h"
#include "common/child_signals.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

struct HelperFds {
  int sock[2] = {-1, -1};
  int null_fd = -1, log_fd = -1, pid_pipe[2] = {-1, -1};
  ~HelperFds() {
    for (int fd : {sock[1], null_fd, log_fd, pid_pipe[0], pid_pipe[1]})
      if (fd >= 0) close(fd);
  }
};

// After the fork: only async-signal-safe calls on what the parent prepared.
[[noreturn]] void RunHelper(HelperFds& f, char* const* argv) {
  ResetSignalsInChild();
  if (setsid() < 0) _exit(125);
  pid_t p = fork();
  if (p != 0) {
    if (write(f.pid_pipe[1], &p, sizeof p) != sizeof p) _exit(125);
    _exit(p < 0 ? 125 : 0);
  }
  int err = f.log_fd >= 0 ? f.log_fd : f.null_fd;
  if (dup2(f.null_fd, 0) < 0 || dup2(f.null_fd, 1) < 0 || dup2(err, 2) < 0 || dup2(f.sock[1], 3) < 0) _exit(125);
  syscall(SYS_close_range, 4U, ~0U, 0U);
  execv(argv[0], argv);
  _exit(127);
}

Napi::Value SpawnHelper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array args = info[0].As<Napi::Array>();
  std::vector<std::string> strs;
  for (uint32_t i = 0; i < args.Length(); i++) strs.push_back(args.Get(i).As<Napi::String>().Utf8Value());
  if (strs.empty()) throw Napi::TypeError::New(env, "spawnHelper: empty argv");
  std::vector<char*> argv;
  for (auto& s : strs) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);

  HelperFds f;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f.sock) < 0) throw MakeNativeError(env, "socketpair", errno);
  int ours = f.sock[0];
  f.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (f.null_fd < 0 || pipe2(f.pid_pipe, O_CLOEXEC) < 0) {
    close(ours);
    throw MakeNativeError(env, "open /dev/null or pipe", errno);
  }
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Value log = info[1].As<Napi::Object>().Get("stderrPath");
    if (log.IsString()) f.log_fd = open(log.As<Napi::String>().Utf8Value().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  }

  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t p0 = fork();
  if (p0 == 0) RunHelper(f, argv.data());
  int fork_err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (p0 < 0) {
    close(ours);
    throw MakeNativeError(env, "fork", fork_err);
  }
  while (waitpid(p0, nullptr, 0) < 0 && errno == EINTR) {}
  close(f.pid_pipe[1]);
  f.pid_pipe[1] = -1;
  pid_t pid = -1;
  ssize_t n;
  do n = read(f.pid_pipe[0], &pid, sizeof pid); while (n < 0 && errno == EINTR);
  if (n != sizeof pid || pid <= 0) {
    close(ours);
    throw MakeNativeError(env, "fork helper", EAGAIN);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, pid));
  out.Set("fd", Napi::Number::New(env, ours));
  return out;
}

int64_t MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// One line from fd without its "\n" ("" on EOF before any byte); throws
// ETIMEDOUT. Byte by byte: nothing after the line is consumed.
std::string ReadLineFd(Napi::Env env, int fd, int64_t timeout_ms) {
  int64_t deadline = MonotonicMs() + timeout_ms;
  std::string line;
  for (;;) {
    int64_t left = deadline - MonotonicMs();
    if (left <= 0) throw MakeNativeError(env, "waiting for a helper's answer", ETIMEDOUT);
    struct pollfd pfd = {fd, POLLIN, 0};
    int r = poll(&pfd, 1, int(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw MakeNativeError(env, "poll", errno);
    if (r == 0) continue;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw MakeNativeError(env, "read", errno);
    if (n == 0 || c == '\n') return line;
    line.push_back(c);
  }
}

Napi::Value ReadLine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::String::New(env, ReadLineFd(env, info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int64Value()));
}

// unixRequest(path, line, timeoutMs) -> the answer's first line: a request
// to a helper listening on a unix socket (husk-net hold), synchronously.
Napi::Value UnixRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::string line = info[1].As<Napi::String>().Utf8Value() + "\n";
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw MakeNativeError(env, "connect", ENAMETOOLONG, path.c_str());
  memcpy(addr.sun_path, path.c_str(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw MakeNativeError(env, "socket", errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      write(fd, line.data(), line.size()) != ssize_t(line.size())) {
    int err = errno;
    close(fd);
    throw MakeNativeError(env, "connect", err, path.c_str());
  }
  std::string answer;
  try {
    answer = ReadLineFd(env, fd, info[2].As<Napi::Number>().Int64Value());
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  return Napi::String::New(env, answer);
}

}  // namespace

void RegisterHelperSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnHelper", Napi::Function::New(env, SpawnHelper));
  exports.Set("readLine", Napi::Function::New(env, ReadLine));
  exports.Set("unixRequest", Napi::Function::New(env, UnixRequest));
}
