// A container's root file system, read and written safely whatever its
// state: `cp`, `export`, `diff` and `commit`. See README.md ("rootfs").
#pragma once
#include <string>

// Whether `cmd` is one of the commands below.
bool is_rootfs_command(const std::string& cmd);

// Runs before husk-userns enters its user namespace: opens /proc/PID/root
// (--root-pid) while husk still has its own credentials, which may reach
// into the container; the namespace made afterwards could not.
void rootfs_prepare(int argc, char** argv);

// stat, archive, extract, changes, layer-tar. Returns the exit code.
int rootfs_main(const std::string& cmd, int argc, char** argv);
