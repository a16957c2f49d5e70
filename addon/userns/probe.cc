// husk decides a store's storage driver once, by this probe (see
// lib/storage/driver.ts). It reports the errno of the mount itself, so that
// husk can tell a kernel that refuses overlayfs (EINVAL, EPERM, ENODEV) from
// a moment's trouble (ENOMEM, EBUSY), which must not decide anything.
#include "userns/probe.h"
#include "userns/errors.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sched.h>
#include <string>
#include <sys/mount.h>
#include <sys/stat.h>

namespace {

// The probe could not even try: one error line, as every command writes it.
int could_not(const std::string& what, int err) {
  EntryError e;
  e.path = what;
  e.step = what == "unshare" || what == "make / private" ? what : "mkdir";
  e.err = err;
  e.reason = errstr(e.step, err);
  if (e.step != "mkdir") e.path.clear();
  report_error(e, "probe-overlay");
  return 1;
}

}  // namespace

int cmd_probe_overlay(int argc, char** argv) {
  if (argc != 1 || argv[0][0] != '/') {
    fprintf(stderr, "husk-userns: probe-overlay: expected one absolute <dir>\n");
    return 125;
  }
  std::string dir = argv[0];
  for (const char* sub : {"lower", "upper", "work", "merged"}) {
    std::string p = dir + "/" + sub;
    if (mkdir(p.c_str(), 0700) < 0 && errno != EEXIST) return could_not(p, errno);
  }
  // Rootless we are in a mount namespace of our own already; rootful not:
  // the probe's mount must never show on the host.
  if (unshare(CLONE_NEWNS) < 0) return could_not("unshare", errno);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return could_not("make / private", errno);
  std::string opts = "lowerdir=" + dir + "/lower,upperdir=" + dir + "/upper,workdir=" + dir + "/work,userxattr";
  if (mount("overlay", (dir + "/merged").c_str(), "overlay", 0, opts.c_str()) == 0) {
    printf("{\"mounted\":true}\n");
    return 0;
  }
  int e = errno;
  const char* name = strerrorname_np(e);
  printf("{\"mounted\":false,\"errno\":\"%s\",\"error\":\"%s\"}\n", name ? name : "E?", strerror(e));
  return 0;
}
