// The container's cgroup (lib/runtime/cgroups.ts makes it): joining it, and
// the cgroup v2 device filter (an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program).
#pragma once
#include <napi.h>
#include <sys/types.h>

namespace husk {

struct SpawnPlan;

// createContainer: opens opts.cgroupProcs (a path or a list of them, one per
// hierarchy; when given) for the intermediate
// to move the init into before the init runs anything, and defers the init's
// cgroup namespace until it is there, so that its root is the container's
// cgroup.
void PlanCgroup(Napi::Env env, SpawnPlan& plan, Napi::Object opts);

// execProcess: opens opts.cgroupProcs (when given), joined before the fork.
void PlanExecCgroup(Napi::Env env, SpawnPlan& plan, Napi::Object opts);

// After the fork (raw system calls only): writes `pid` (0: the caller) to
// every cgroup.procs fd of the plan. 0 or -errno; nothing to do without one.
int join_cgroup(const SpawnPlan& plan, pid_t pid);

}  // namespace husk

// attachDeviceFilter(cgroupDir, rules)
void RegisterCgroup(Napi::Env env, Napi::Object exports);
