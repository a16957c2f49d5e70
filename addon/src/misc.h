#pragma once
#include <napi.h>

// Small synchronous system calls Node does not offer.
void RegisterMisc(Napi::Env env, Napi::Object exports);
