# Shared by the benchmark scripts (sourced, not run).

log() { printf '\n== %s\n' "$*"; }
die() { echo "bench: $*" >&2; exit 1; }

# stop_podman_pause XDG USER: rootless podman's pause process (catatonit) for
# that XDG_RUNTIME_DIR, if it is USER's.
stop_podman_pause() {
  local xdg=$1 user=$2 pid
  [ -f "$xdg/libpod/tmp/pause.pid" ] || return 0
  pid=$(cat "$xdg/libpod/tmp/pause.pid")
  if [ -n "$pid" ] && [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$user" ]; then
    kill "$pid" 2>/dev/null
  fi
  return 0
}

# unmount_under DIR: mounts left under DIR, deepest first.
unmount_under() {
  awk -v w="$1" '$2 == w || index($2, w "/") == 1 {print $2}' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m"; done
}

# snapshot_husk REPO PKG USER: a copy of husk that USER can read wherever the
# checkout lives, and that a rebuild during the run does not change. The
# bundle normally needs no node_modules; they are copied only if dist/husk.cjs
# requires a package that is not a node builtin.
snapshot_husk() {
  local repo=$1 pkg=$2 user=$3
  mkdir -p "$pkg/build"
  cp -a "$repo/bin" "$repo/dist" "$repo/package.json" "$repo/binding.gyp" "$pkg/"
  cp -a "$repo/build/Release" "$pkg/build/"
  if node -e '
    const src = require("fs").readFileSync(process.argv[1], "utf8");
    const b = new Set(require("module").builtinModules);
    const ext = [...src.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])
      .filter((n) => !n.startsWith("node:") && !n.startsWith(".") && !n.startsWith("/") && !b.has(n));
    process.exit(ext.length ? 0 : 1);' "$pkg/dist/husk.cjs"; then
    cp -a "$repo/node_modules" "$pkg/"
  fi
  chown -R root:root "$pkg"; chmod -R a+rX "$pkg"
  chown "$user" "$pkg/dist"   # lets bin/husk write its V8 code cache
}

# sample_tree PID OUT: the peak of the summed RSS (kB) of the process tree under
# PID (not PID itself, nor GNU time), sampled every 100 ms until PID exits, into OUT.
sample_tree() {
  local root=$1 out=$2 max=0 s
  while [ -d "/proc/$root" ]; do
    s=$(ps -eo pid=,ppid=,rss=,comm= | awk -v r="$root" '
      {p[$1]=$2; rss[$1]=$3; c[$1]=$4}
      END {for (i in p) {j=i; n=0; while (j != r && j > 1 && n++ < 64) j=p[j];
           if (j == r && i != r && c[i] != "time") t += rss[i]} print t+0}')
    [ "$s" -gt "$max" ] && max=$s
    sleep 0.1
  done
  echo "$max" >"$out"
}
