// spec.linux.seccomp (OCI format) compiled to a classic BPF program with
// libseccomp, in the parent before any fork. The child only installs it.
#pragma once
#include <napi.h>
#include <cstdint>
#include <vector>

namespace husk {

// Compiles `seccomp` (the spec.linux.seccomp object) into `bpf` (an array of
// struct sock_filter). Throws a NativeError for an unknown action, operator or
// architecture. Unknown syscall names are skipped, as runc does.
void CompileSeccomp(Napi::Env env, Napi::Object seccomp, std::vector<uint8_t>& bpf);

}  // namespace husk
