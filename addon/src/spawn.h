// createContainer / startContainer: the native side of `husk create/start`.
// See addon/README-spawn.md for the process tree and the protocol.
#pragma once
#include <napi.h>

void RegisterSpawn(Napi::Env env, Napi::Object exports);
