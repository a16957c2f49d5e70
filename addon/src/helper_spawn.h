#pragma once
#include <napi.h>

// Detached native helpers (husk-net) that outlive husk, each with a socket
// back to husk for its readiness line.
void RegisterHelperSpawn(Napi::Env env, Napi::Object exports);
