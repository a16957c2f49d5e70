// Errors that cross the N-API boundary. The JS side hands its error class to
// the addon once (setErrorClass); every native failure becomes an instance of
// it carrying code (errno name), errno, syscall, step and path.
#pragma once
#include <napi.h>
#include <cstdint>

// Written by a forked child over a pipe; fixed size, no pointers.
struct ChildError {
  char step[64];
  int32_t err;  // positive errno
  char path[512];
};

// Async-signal-safe: fill a ChildError in a forked child.
void child_error_fill(ChildError* e, const char* step, int err, const char* path);

// "step path: ECODE (message)".
Napi::Error MakeNativeError(Napi::Env env, const char* step, int err, const char* path = nullptr);
inline Napi::Error MakeNativeError(Napi::Env env, const ChildError& e) {
  return MakeNativeError(env, e.step, e.err, e.path[0] ? e.path : nullptr);
}

void SetErrorClass(const Napi::CallbackInfo& info);
