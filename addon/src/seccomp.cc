// OCI seccomp profile -> BPF through libseccomp (seccomp_export_bpf into a
// memfd, read back). Runs in Node's thread before the fork.
#include "src/seccomp.h"
#include "src/errors.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <string>

namespace husk {
namespace {

// Frees the filter context on every exit path (exceptions included).
struct Ctx {
  scmp_filter_ctx ctx = nullptr;
  int memfd = -1;
  ~Ctx() {
    if (ctx) seccomp_release(ctx);
    if (memfd >= 0) close(memfd);
  }
};

std::string Str(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

uint32_t Action(Napi::Env env, const std::string& name, Napi::Value errno_ret) {
  uint32_t e = errno_ret.IsNumber() ? errno_ret.As<Napi::Number>().Uint32Value() : EPERM;
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(e);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(e);
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  throw MakeNativeError(env, ("seccomp: unsupported action " + name).c_str(), EINVAL);
}

scmp_compare Op(Napi::Env env, const std::string& name) {
  if (name == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (name == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (name == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (name == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (name == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (name == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (name == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  throw MakeNativeError(env, ("seccomp: unsupported operator " + name).c_str(), EINVAL);
}

uint64_t U64(Napi::Value v) {
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  if (!v.IsNumber()) return 0;
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0) return uint64_t(int64_t(d));
  if (d >= 18446744073709551615.0) return ~uint64_t(0);
  return uint64_t(d);
}

}  // namespace

void CompileSeccomp(Napi::Env env, Napi::Object sc, std::vector<uint8_t>& bpf) {
  Ctx c;
  uint32_t def = Action(env, Str(sc, "defaultAction"), sc.Get("defaultErrnoRet"));
  c.ctx = seccomp_init(def);
  if (!c.ctx) throw MakeNativeError(env, "seccomp_init", EINVAL);

  Napi::Value archs = sc.Get("architectures");
  if (archs.IsArray()) {
    Napi::Array a = archs.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      std::string name = a.Get(i).As<Napi::String>().Utf8Value();
      // SCMP_ARCH_X86_64 -> "x86_64", the name libseccomp knows.
      std::string low = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
      for (auto& ch : low) ch = char(tolower((unsigned char)ch));
      uint32_t arch = seccomp_arch_resolve_name(low.c_str());
      if (!arch) throw MakeNativeError(env, ("seccomp: unknown architecture " + name).c_str(), EINVAL);
      int r = seccomp_arch_add(c.ctx, arch);
      if (r < 0 && r != -EEXIST) throw MakeNativeError(env, ("seccomp_arch_add " + name).c_str(), -r);
    }
  }

  Napi::Value syscalls = sc.Get("syscalls");
  if (syscalls.IsArray()) {
    Napi::Array list = syscalls.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object s = list.Get(i).As<Napi::Object>();
      uint32_t act = Action(env, Str(s, "action"), s.Get("errnoRet"));
      std::vector<scmp_arg_cmp> conds;
      Napi::Value args = s.Get("args");
      if (args.IsArray()) {
        Napi::Array al = args.As<Napi::Array>();
        for (uint32_t k = 0; k < al.Length(); k++) {
          Napi::Object a = al.Get(k).As<Napi::Object>();
          scmp_arg_cmp cmp;
          cmp.arg = a.Get("index").As<Napi::Number>().Uint32Value();
          cmp.op = Op(env, Str(a, "op"));
          cmp.datum_a = U64(a.Get("value"));
          cmp.datum_b = U64(a.Get("valueTwo"));
          conds.push_back(cmp);
        }
      }
      // libseccomp cannot compare one argument twice in a rule; several
      // conditions on the same argument mean "any of them" (runc's reading).
      bool same_index = conds.size() > 1;
      for (auto& cmp : conds) same_index = same_index && cmp.arg == conds[0].arg;
      if (act == def) continue;  // libseccomp refuses rules that equal the default
      Napi::Array names = s.Get("names").As<Napi::Array>();
      for (uint32_t n = 0; n < names.Length(); n++) {
        std::string name = names.Get(n).As<Napi::String>().Utf8Value();
        int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) continue;  // unknown here (newer or other arch)
        int r = 0;
        if (same_index) {
          for (auto& cmp : conds)
            if ((r = seccomp_rule_add_array(c.ctx, act, nr, 1, &cmp)) < 0) break;
        } else {
          r = seccomp_rule_add_array(c.ctx, act, nr, unsigned(conds.size()), conds.data());
        }
        if (r < 0) throw MakeNativeError(env, ("seccomp: add rule for " + name).c_str(), -r);
      }
    }
  }

  c.memfd = memfd_create("husk-seccomp", MFD_CLOEXEC);
  if (c.memfd < 0) throw MakeNativeError(env, "memfd_create", errno);
  int r = seccomp_export_bpf(c.ctx, c.memfd);
  if (r < 0) throw MakeNativeError(env, "seccomp_export_bpf", -r);
  off_t size = lseek(c.memfd, 0, SEEK_END);
  if (size < 0 || lseek(c.memfd, 0, SEEK_SET) < 0) throw MakeNativeError(env, "lseek seccomp memfd", errno);
  bpf.resize(size_t(size));
  size_t got = 0;
  while (got < bpf.size()) {
    ssize_t n = read(c.memfd, bpf.data() + got, bpf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw MakeNativeError(env, "read seccomp memfd", n < 0 ? errno : EIO);
    got += size_t(n);
  }
}

}  // namespace husk
