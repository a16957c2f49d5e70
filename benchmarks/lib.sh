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

# install_missing [APT_OPTION...] TOOL...: apt-get installs the tools that are
# not there, so that a fresh machine can run the benchmark. TOOL is a command
# named like its package, CMD=PACKAGE, or /PATH=PACKAGE (tested with -x:
# /usr/bin/time, not bash's time keyword).
install_missing() {
  local opts=() missing=() t cmd
  while [[ ${1:-} == -* ]]; do opts+=("$1"); shift; done
  for t in "$@"; do
    cmd=${t%%=*}
    if [[ $cmd == /* ]]; then [ -x "$cmd" ] && continue
    else command -v "$cmd" >/dev/null && continue
    fi
    missing+=("${t#*=}")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${opts[@]}" "${missing[@]}"
}

# ensure_setup REPO USER [FIXTURE]: node is needed throughout; test/setup.mjs
# creates USER (subordinate ids) and the image fixtures, run only if one is missing.
ensure_setup() {
  local repo=$1 user=$2 fixture=${3:-} what="fixtures and user"
  command -v node >/dev/null || die "node is not installed"
  [ -n "$fixture" ] || what=user
  if { [ -n "$fixture" ] && [ ! -f "$fixture" ]; } || ! id "$user" >/dev/null 2>&1; then
    log "preparing $what $user (node test/setup.mjs)"
    (cd "$repo" && node test/setup.mjs)
  fi
  [ -z "$fixture" ] || [ -f "$fixture" ] || die "$fixture is missing"
}

# check_husk_built [--userns] REPO [HINT]: die early, naming the first missing
# file, if REPO's husk is not built (snapshot_husk copies these). --userns also
# wants build/Release/husk-userns, which unpacks pulled layers.
check_husk_built() {
  local userns=() f
  if [ "$1" = --userns ]; then userns=(build/Release/husk-userns); shift; fi
  for f in bin/husk dist/husk.cjs build/Release/husk-monitor "${userns[@]}" \
           build/Release/husk_native.node binding.gyp package.json; do
    [ -e "$1/$f" ] || die "$1/$f is missing: build husk first (npm install)${2:-}"
  done
}

# as_user CMD...: CMD as BENCH_USER with a clean environment: HOME=$BHOME,
# XDG_RUNTIME_DIR=$XDG, PATH=$BENCH_PATH (default /usr/bin:/bin) and podman's
# settings from $WORK/containers.conf.
as_user() {
  runuser -u "$BENCH_USER" -- env -i HOME="$BHOME" PATH="${BENCH_PATH:-/usr/bin:/bin}" XDG_RUNTIME_DIR="$XDG" \
    CONTAINERS_CONF="$WORK/containers.conf" "$@"
}

# kill_user_procs USER DIR: what an interrupted run left running, but only
# USER's processes whose argv names DIR, so nothing else on the machine is hit.
kill_user_procs() {
  local pid
  for pid in $(ps -u "$1" -o pid=); do
    grep -qF "$2" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  return 0
}

# cleanup_on_exit FN WORK XDG USER: on every exit (INT exits 130, TERM 143, so
# those too) FN stops what the script started, then podman's pause process and
# the mounts and files under WORK go; the exit status is kept.
cleanup_on_exit() {
  BENCH_CLEANUP=$1 BENCH_WORK=$2 BENCH_XDG=$3 BENCH_OWNER=$4
  trap _bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
_bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  "$BENCH_CLEANUP"
  stop_podman_pause "$BENCH_XDG" "$BENCH_OWNER"
  sleep 0.2
  # rootless stores hold files owned by subordinate ids: unmount (deepest
  # first), then remove as root
  unmount_under "$BENCH_WORK"
  rm -rf "$BENCH_WORK"
  [ -e "$BENCH_WORK" ] && echo "bench: could not remove $BENCH_WORK" >&2
  exit "$rc"
}
