#pragma once
// sd_notify(3)'s wire format without libsystemd: one datagram on the unix
// socket systemd names in $NOTIFY_SOCKET. Used by the addon (husk's own
// READY=1 and MAINPID=) and by husk-monitor (relaying a container's
// messages). No allocation: the monitor links it statically.
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace husk {

// Sends `msg` (n bytes) to the datagram socket `path`: a file system path,
// or "@name" for the abstract namespace, as $NOTIFY_SOCKET spells them. A
// path too long for sun_path is reached through its directory
// (/proc/self/fd/N/base). Returns 0, or -errno.
int SdNotifySend(const char* path, const char* msg, size_t n);

// Binds a datagram socket at `path` (a stale file is unlinked first; long
// paths are bound from inside their directory), mode 0777 so that any user
// of the container may send. Returns the fd (nonblocking, close-on-exec) or
// -errno.
int SdNotifyListen(const char* path);

}  // namespace husk
