#include "src/errors.h"
#include "common/idmap.h"

#include <cstring>
#include <string>

namespace {
struct InstanceData {
  Napi::FunctionReference error_class;
};

InstanceData* Data(Napi::Env env) {
  auto* d = env.GetInstanceData<InstanceData>();
  if (!d) {
    d = new InstanceData();
    env.SetInstanceData(d);  // freed by N-API at env teardown
  }
  return d;
}
}  // namespace

void child_error_fill(ChildError* e, const char* step, int err, const char* path) {
  safe_strcpy(e->step, step, sizeof e->step);
  e->err = err;
  safe_strcpy(e->path, path ? path : "", sizeof e->path);
}

Napi::Error MakeNativeError(Napi::Env env, const char* step, int err, const char* path) {
  const char* code = err ? strerrorname_np(err) : nullptr;
  std::string msg = step;
  if (path && *path) msg += std::string(" ") + path;
  if (err) msg += std::string(": ") + (code ? code : "E?") + " (" + strerror(err) + ")";
  auto* d = Data(env);
  Napi::Object obj;
  if (!d->error_class.IsEmpty()) {
    obj = d->error_class.New({Napi::String::New(env, msg)});
  } else {
    obj = Napi::Error::New(env, msg).Value();
  }
  if (err) {
    obj.Set("code", Napi::String::New(env, code ? code : "EUNKNOWN"));
    obj.Set("errno", Napi::Number::New(env, err));
  }
  obj.Set("step", Napi::String::New(env, step));
  if (path && *path) obj.Set("path", Napi::String::New(env, path));
  return Napi::Error(env, obj);
}

void SetErrorClass(const Napi::CallbackInfo& info) {
  Data(info.Env())->error_class = Napi::Persistent(info[0].As<Napi::Function>());
}
