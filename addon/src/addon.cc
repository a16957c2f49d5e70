// Module entry: each part of the addon registers its own functions.
#include <napi.h>
#include "src/cgroup.h"
#include "src/errors.h"
#include "src/helper_spawn.h"
#include "src/misc.h"
#include "src/spawn.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  RegisterMisc(env, exports);
  RegisterSpawn(env, exports);
  RegisterCgroup(env, exports);
  RegisterHelperSpawn(env, exports);
  return exports;
}

NODE_API_MODULE(husk_native, Init)
