// Joining the container's cgroup, and the cgroup v2 device filter: the rules
// of linux.resources.devices as an eBPF program (the v1 devices controller
// takes them as text, from TypeScript).
#include "src/cgroup.h"
#include "src/child_plan.h"
#include "src/errors.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace husk {
namespace {

// opts.cgroupProcs: one path, or one per hierarchy (cgroup v1).
void OpenProcs(Napi::Env env, SpawnPlan& plan, Napi::Object opts) {
  Napi::Value v = opts.Get("cgroupProcs");
  std::vector<std::string> paths;
  if (v.IsString()) paths.push_back(v.As<Napi::String>().Utf8Value());
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) paths.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  }
  if ((int)paths.size() > SpawnPlan::kMaxCgroups) throw MakeNativeError(env, "invalid container options: too many cgroups", EINVAL);
  for (const std::string& path : paths) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw MakeNativeError(env, "open cgroup", errno, path.c_str());
    plan.cgroup_fds[plan.n_cgroup_fds++] = fd;
  }
}

// ---------------------------------------------------------------- eBPF

// One device rule, as TypeScript validated it.
struct DeviceRule {
  bool allow = false;
  int type = 0;       // 0: any, else BPF_DEVCG_DEV_CHAR / BPF_DEVCG_DEV_BLOCK
  int64_t major = -1;  // -1: any
  int64_t minor = -1;
  int access = 0;  // BPF_DEVCG_ACC_* bits
};

constexpr int kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

std::vector<DeviceRule> Rules(Napi::Env env, Napi::Value v) {
  if (!v.IsArray()) throw MakeNativeError(env, "invalid device rules: not an array", EINVAL);
  Napi::Array a = v.As<Napi::Array>();
  std::vector<DeviceRule> rules;
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object o = a.Get(i).As<Napi::Object>();
    DeviceRule r;
    r.allow = o.Get("allow").ToBoolean().Value();
    std::string type = o.Get("type").IsString() ? o.Get("type").As<Napi::String>().Utf8Value() : "a";
    r.type = type == "c" ? BPF_DEVCG_DEV_CHAR : type == "b" ? BPF_DEVCG_DEV_BLOCK : 0;
    if (o.Get("major").IsNumber()) r.major = o.Get("major").As<Napi::Number>().Int64Value();
    if (o.Get("minor").IsNumber()) r.minor = o.Get("minor").As<Napi::Number>().Int64Value();
    std::string access = o.Get("access").IsString() ? o.Get("access").As<Napi::String>().Utf8Value() : "rwm";
    for (char c : access)
      r.access |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
    rules.push_back(r);
  }
  return rules;
}

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i;
  memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn LoadCtx(uint8_t dst, int16_t off) { return Insn(BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, off, 0); }
bpf_insn Alu32(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn Mov32(uint8_t dst, uint8_t src) { return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn Ret(int32_t value) { return Insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value); }
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }
bpf_insn JumpIf(uint8_t op, uint8_t reg, int32_t imm) { return Insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm); }

// One rule: a block that returns its verdict when the device matches and
// jumps to the next block when not. Registers (from the prologue): r2 the
// device type, r3 the access asked for, r4 major, r5 minor; r1 is scratch.
// False when the rule matches every device: nothing after it can run.
bool AppendRule(std::vector<bpf_insn>& prog, const DeviceRule& r) {
  std::vector<bpf_insn> block;
  std::vector<size_t> to_next;
  auto jump_next = [&](bpf_insn i) {
    to_next.push_back(block.size());
    block.push_back(i);
  };
  if (r.type) jump_next(JumpIf(BPF_JNE, BPF_REG_2, r.type));
  if ((r.access & kAllAccess) != kAllAccess) {
    block.push_back(Mov32(BPF_REG_1, BPF_REG_3));
    if (r.allow) {
      // An allow rule covers a request only if it grants all of it.
      block.push_back(Alu32(BPF_AND, BPF_REG_1, ~r.access & kAllAccess));
      jump_next(JumpIf(BPF_JNE, BPF_REG_1, 0));
    } else {
      // A deny rule refuses a request asking for any of its access.
      block.push_back(Alu32(BPF_AND, BPF_REG_1, r.access));
      jump_next(JumpIf(BPF_JEQ, BPF_REG_1, 0));
    }
  }
  if (r.major >= 0) jump_next(JumpIf(BPF_JNE, BPF_REG_4, int32_t(r.major)));
  if (r.minor >= 0) jump_next(JumpIf(BPF_JNE, BPF_REG_5, int32_t(r.minor)));
  block.push_back(Ret(r.allow ? 1 : 0));
  block.push_back(Exit());
  for (size_t j : to_next) block[j].off = int16_t(block.size() - j - 1);
  prog.insert(prog.end(), block.begin(), block.end());
  return !to_next.empty();
}

// struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }.
// The last rule that matches decides, as in the OCI list: blocks go last
// rule first; a device no rule matches is refused. The verifier refuses
// code that cannot be reached, so nothing follows a rule that matches all.
std::vector<bpf_insn> DeviceProgram(const std::vector<DeviceRule>& rules) {
  std::vector<bpf_insn> prog = {
      LoadCtx(BPF_REG_2, 0), Alu32(BPF_AND, BPF_REG_2, 0xffff),
      LoadCtx(BPF_REG_3, 0), Alu32(BPF_RSH, BPF_REG_3, 16),
      LoadCtx(BPF_REG_4, 4), LoadCtx(BPF_REG_5, 8),
  };
  for (auto r = rules.rbegin(); r != rules.rend(); ++r)
    if (!AppendRule(prog, *r)) return prog;
  prog.push_back(Ret(0));
  prog.push_back(Exit());
  return prog;
}

long Bpf(int cmd, union bpf_attr& attr) { return syscall(SYS_bpf, cmd, &attr, sizeof attr); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// attachDeviceFilter(cgroupDir, rules): loads the program and attaches it to
// the cgroup (ALLOW_MULTI, as runc: a parent's programs keep applying). The
// cgroup holds it from then on; our fds can go.
void AttachDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  std::vector<bpf_insn> prog = DeviceProgram(Rules(env, info[1]));
  const char license[] = "Apache-2.0";
  union bpf_attr load;
  memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = uint64_t(uintptr_t(prog.data()));
  load.insn_cnt = uint32_t(prog.size());
  load.license = uint64_t(uintptr_t(license));
  Fd p;
  p.fd = int(Bpf(BPF_PROG_LOAD, load));
  if (p.fd < 0) {
    int err = errno;
    // Again with the verifier's log (not the first time: a log too small
    // for all it says fails a good program with ENOSPC), for its reason.
    std::vector<char> log(65536, 0);
    load.log_buf = uint64_t(uintptr_t(log.data()));
    load.log_size = uint32_t(log.size() - 1);
    load.log_level = 1;
    int again = int(Bpf(BPF_PROG_LOAD, load));
    if (again >= 0) close(again);  // only the log was wanted
    std::string first(log.data(), strcspn(log.data(), "\n"));
    std::string why = "load the device filter (eBPF)";
    if (!first.empty()) why += ": " + first.substr(0, 200);
    throw MakeNativeError(env, why.c_str(), err);
  }
  Fd cg;
  cg.fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg.fd < 0) throw MakeNativeError(env, "open cgroup", errno, dir.c_str());
  union bpf_attr attach;
  memset(&attach, 0, sizeof attach);
  attach.target_fd = uint32_t(cg.fd);
  attach.attach_bpf_fd = uint32_t(p.fd);
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, attach) < 0) throw MakeNativeError(env, "attach the device filter to", errno, dir.c_str());
}

}  // namespace

void PlanCgroup(Napi::Env env, SpawnPlan& plan, Napi::Object opts) {
  OpenProcs(env, plan, opts);
  // A cgroup namespace made at clone would be rooted where husk runs; the
  // init makes its own once it is in the container's cgroup (as runc does).
  if (plan.n_cgroup_fds > 0 && (plan.clone_flags & CLONE_NEWCGROUP)) {
    plan.clone_flags &= ~(unsigned long)CLONE_NEWCGROUP;
    plan.unshare_cgroupns = true;
  }
}

void PlanExecCgroup(Napi::Env env, SpawnPlan& plan, Napi::Object opts) { OpenProcs(env, plan, opts); }

int join_cgroup(const SpawnPlan& plan, pid_t pid) {
  char num[24];
  safe_itoa(long(pid), num, sizeof num);
  for (int i = 0; i < plan.n_cgroup_fds; i++)
    if (write(plan.cgroup_fds[i], num, safe_strlen(num)) < 0) return -errno;
  return 0;
}

}  // namespace husk

void RegisterCgroup(Napi::Env env, Napi::Object exports) {
  exports.Set("attachDeviceFilter", Napi::Function::New(env, husk::AttachDeviceFilter));
}
