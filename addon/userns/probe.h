// probe-overlay: whether the kernel mounts overlayfs for a container here.
#pragma once

// probe-overlay <dir>: mounts a tiny overlay in <dir> (lower, upper, work,
// merged are made there) the way the runtime mounts a container's root: in
// this user namespace, with userxattr, in a mount namespace of its own that
// goes when we exit. Prints {"mounted":true} or {"mounted":false,"errno":
// "EINVAL","error":"Invalid argument"} and exits 0; 1 when it could not try.
int cmd_probe_overlay(int argc, char** argv);
