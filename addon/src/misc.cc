// flock, mkfifo, a process start time (to tell a live pid from a reused one),
// sd_notify.
#include "src/misc.h"
#include "src/errors.h"
#include "common/sdnotify.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// flock(fd, exclusive, wait) -> true if taken, false if busy and !wait.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  bool exclusive = info[1].As<Napi::Boolean>();
  bool wait = info.Length() > 2 ? info[2].As<Napi::Boolean>().Value() : true;
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  while (flock(fd, op) < 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && !wait) return Napi::Boolean::New(info.Env(), false);
    throw MakeNativeError(info.Env(), "flock", errno);
  }
  return Napi::Boolean::New(info.Env(), true);
}

void Funlock(const Napi::CallbackInfo& info) {
  flock(info[0].As<Napi::Number>().Int32Value(), LOCK_UN);
}

void Mkfifo(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  unsigned mode = info[1].As<Napi::Number>().Uint32Value();
  if (mkfifo(path.c_str(), mode) < 0) throw MakeNativeError(info.Env(), "mkfifo", errno, path.c_str());
}

Napi::Value Geteuid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), geteuid());
}

// sdNotify(socket, message): one datagram to $NOTIFY_SOCKET (Node has no
// unix datagram sockets). The kernel attaches our credentials, which is how
// systemd tells who sent it.
void SdNotify(const Napi::CallbackInfo& info) {
  std::string socket = info[0].As<Napi::String>();
  std::string message = info[1].As<Napi::String>();
  int rc = husk::SdNotifySend(socket.c_str(), message.data(), message.size());
  if (rc < 0) throw MakeNativeError(info.Env(), "sd_notify", -rc, socket.c_str());
}

}  // namespace

void RegisterMisc(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock));
  exports.Set("funlock", Napi::Function::New(env, Funlock));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo));
  exports.Set("geteuid", Napi::Function::New(env, Geteuid));
  exports.Set("sdNotify", Napi::Function::New(env, SdNotify));
}
