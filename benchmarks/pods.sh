#!/usr/bin/env bash
# Pods: `pod create` + two `run -d --pod` + `pod rm -f`, and `kube play` /
# `kube down` of a three-container pod, husk beside podman, rootless and as
# root. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/pods.sh [--runs N] [--steps pod,kube]
#                    [--engines husk,podman] [--modes rootless,root] [--out DIR]
#
# HUSK=/path/to/bin/husk picks the husk checkout (default /work/main/bin/husk).
# Rootless, the engines run as the unprivileged user husktest; as root, as root;
# each engine has its own stores in a temp dir. The image is the test fixture's
# busybox, imported (no network pulls). A husk failure is reported as
# "husk: FAILED (reason)"; podman still runs. The kube step is skipped for husk
# while `husk kube play --help` fails (podman is still measured).
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}                  # timed cycles per engine, step and mode (median)
STEPS=${STEPS:-pod,kube}
ENGINES=(husk podman)
MODES=(rootless root)
OUT=${BENCH_OUT:-}
HUSK_BIN=${HUSK:-/work/main/bin/husk}
BENCH_USER=husktest
FIXTURE=/tmp/husk-test-fixtures/busybox.tar
IMAGE=localhost/busybox:latest   # what both engines import the fixture as
POD=benchpod                     # the pod step's pod (members $POD-web, $POD-app)
KPOD=benchkube                   # the kube step's pod (containers one, two, three)
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TARGET_RATIO=0.5                 # husk / podman, for the whole sequence
# as compose.sh: both engines get the sbin directories in PATH
RUN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --engines) read -r -a ENGINES <<<"${2//,/ }"; shift 2 ;;
    --modes) read -r -a MODES <<<"${2//,/ }"; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[ "$RUNS" -ge 1 ] 2>/dev/null && [ "$RUNS" -le 100 ] || { echo "--runs must be a number from 1 to 100" >&2; exit 2; }
[ ${#ENGINES[@]} -ge 1 ] || { echo "--engines: husk, podman or both" >&2; exit 2; }
for e in "${ENGINES[@]}"; do
  case "$e" in husk|podman) ;; *) echo "--engines: unknown engine $e" >&2; exit 2 ;; esac
done
[ ${#MODES[@]} -ge 1 ] || { echo "--modes: rootless, root or both" >&2; exit 2; }
for m in "${MODES[@]}"; do
  case "$m" in rootless|root) ;; *) echo "--modes: unknown mode $m" >&2; exit 2 ;; esac
done
for s in ${STEPS//,/ }; do
  case "$s" in pod|kube) ;; *) echo "--steps: unknown step $s (pod, kube)" >&2; exit 2 ;; esac
done
has_engine() { [[ " ${ENGINES[*]} " == *" $1 "* ]]; }
has_mode() { [[ " ${MODES[*]} " == *" $1 "* ]]; }
step() { [[ ,$STEPS, == *,$1,* ]]; }

[ "$(id -u)" = 0 ] || die "run as root (rootless, the engines run as $BENCH_USER)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HUSK_REPO=$(cd "$(dirname "$HUSK_BIN")/.." && pwd)   # the checkout whose husk is measured

# ---------------------------------------------------------------- 1. tools
# catatonit: podman 4.3 builds its pod's infra image (localhost/podman-pause)
# from it on first use, locally; without it `podman pod create` fails
install_missing podman runc curl catatonit
ensure_setup "$REPO" "$BENCH_USER" "$FIXTURE"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
if has_engine husk; then
  check_husk_built "$HUSK_REPO" ", or set HUSK"
fi

# ---------------------------------------------------------------- temp dirs + cleanup
# short paths: husk puts unix sockets at <runroot>/c/<64-hex id>/attach (108-byte limit)
WORK=$(mktemp -d /tmp/hk.XXXXXX)
chmod 755 "$WORK"
PKG=$WORK/pkg       # snapshot of husk, readable by husktest, immune to rebuilds
BHOME=$WORK/home    # husktest's HOME; its stores live under $BHOME/s
XDG=$WORK/x         # XDG_RUNTIME_DIR (podman's pause process, runroots)
RHOME=$WORK/rhome   # HOME of the engines run as root
RSTORE=$WORK/r      # stores of the engines run as root
PROJ=$WORK/proj     # the kube YAML
KUBE=$PROJ/kube.yaml
RES=$WORK/results
export BENCH_PATH=$RUN_PATH   # as_user's PATH

# the engines' command lines (arrays) for MODE: HUSK, PODMAN (podman's global flags)
set_mode() {
  MODE=$1
  if [ "$1" = rootless ]; then
    HUSK=("$PKG/bin/husk" --root "$BHOME/s/h" --runroot "$XDG/h")
    PODMAN=(--root "$BHOME/s/p" --runroot "$XDG/p")
  else
    HUSK=("$PKG/bin/husk" --root "$RSTORE/h" --runroot "$RSTORE/hr")
    # as root podman keeps network definitions in /etc/containers/networks
    # unless told otherwise: nothing shared with a podman of the host
    PODMAN=(--root "$RSTORE/p" --runroot "$RSTORE/pr" --tmpdir "$RSTORE/pt"
            --network-config-dir "$RSTORE/pn")
  fi
  # podman 4.3 would pick vfs for a fresh rootless store; husk uses kernel overlay
  PODMAN+=(--runtime runc --cgroup-manager cgroupfs --events-backend file
           --storage-driver "${PODMAN_STORAGE_DRIVER:-overlay}")
}
# run_as CMD...: CMD as the mode's user, with a clean environment
run_as() {
  if [ "$MODE" = rootless ]; then as_user "$@"
  else env -i HOME="$RHOME" PATH="${BENCH_PATH}" CONTAINERS_CONF="$WORK/containers.conf" "$@"
  fi
}
# eng ENGINE ARGS...: the engine's CLI in this mode
eng() {
  local e=$1; shift
  if [ "$e" = husk ]; then run_as "${HUSK[@]}" "$@"; else run_as podman "${PODMAN[@]}" "$@"; fi
}

links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
nat_chains() { command -v iptables >/dev/null && iptables -w -t nat -S 2>/dev/null | awk '$1 == "-N" {print $2}' | sort || true; }
LINKS_BEFORE=$(links)
NAT_BEFORE=$(nat_chains)

# stop_all: at exit (cleanup_on_exit), before $WORK goes: whatever a run left
stop_all() {
  local m l c
  for m in "${MODES[@]}"; do
    set_mode "$m"
    if has_engine husk && [ -x "$PKG/bin/husk" ]; then
      eng husk pod rm -a -f -t 0 >/dev/null 2>&1
      eng husk rm -af >/dev/null 2>&1
    fi
    if has_engine podman; then
      eng podman pod rm -a -f -t 0 >/dev/null 2>&1
      eng podman rm -af -t 0 >/dev/null 2>&1
    fi
  done
  # what the engines failed to stop: only processes whose argv names $WORK
  kill_user_procs "$BENCH_USER" "$WORK"
  has_mode root && kill_user_procs root "$WORK"
  # as root: interfaces that appeared during the run are reported, not deleted
  # (a new interface may be another session's on a shared machine)
  l=$(comm -13 <(echo "$LINKS_BEFORE") <(links) | grep -E '^(husk|podman|veth|cni-podman)' | tr '\n' ' ' || true)
  [ -z "$l" ] || echo "bench: interfaces that appeared during the run are still there: $l" >&2
  # netavark 1.4 leaves an empty NETAVARK-DN-<id> chain in nat per network it
  # tore down: those that appeared and are empty go
  for c in $(comm -13 <(echo "$NAT_BEFORE") <(nat_chains)); do
    [[ $c == NETAVARK-DN-* ]] || continue
    [ "$(iptables -w -t nat -S "$c" 2>/dev/null | wc -l)" = 1 ] && iptables -w -t nat -X "$c" 2>/dev/null
  done
}
cleanup_on_exit stop_all "$WORK" "$XDG" "$BENCH_USER"

has_engine husk && snapshot_husk "$HUSK_REPO" "$PKG" "$BENCH_USER"
mkdir -p "$BHOME/s" "$XDG" "$RES/failed" "$PROJ" "$RHOME" "$RSTORE"
chown "$BENCH_USER:" "$BHOME" "$BHOME/s" "$XDG" "$RES" "$PROJ"; chmod 700 "$XDG"
install -m 644 "$PODMAN_CONF_SRC" "$WORK/containers.conf"
: >"$RES/times"; : >"$RES/load"; : >"$RES/notes"

# HUSK_OK[MODE.STEP]: 1 while husk is measured in that mode and step; a
# failure ends husk's part of that step in that mode only
declare -A HUSK_OK
for m in "${MODES[@]}"; do
  for s in pod kube; do HUSK_OK[$m.$s]=0; has_engine husk && step "$s" && HUSK_OK[$m.$s]=1; done
done
# husk_fail MODE PHASE REASON...: husk's cells of that mode and phase are FAILED
husk_fail() {
  local mode=$1 phase=$2; shift 2
  local reason
  reason=$(printf '%s' "$*" | tr '\n' ' ' | sed 's/  */ /g; s/ $//' | cut -c1-240)
  [ -s "$RES/failed/$mode.$phase" ] || printf '%s' "$reason" >"$RES/failed/$mode.$phase"
  echo "husk: FAILED ($reason) [$mode $phase]" >&2
}
# last_err FILE: its last error lines (else its last lines), without podman's usual warnings
last_err() {
  local l
  l=$(grep -v 'is not a shared mount\|failed to connect to syslog' "$1" 2>/dev/null | grep . || true)
  if echo "$l" | grep -qi 'error'; then l=$(echo "$l" | grep -i 'error'); fi
  echo "$l" | tail -n3 | tr '\n' ' ' | sed 's/  */ /g; s/ $//' | cut -c1-240
}
note() { echo "$*" | tee -a "$RES/notes"; }

# As root both engines' default networks are 10.88.0.0/16: podman's podman0
# (netavark deletes it with its last container) and husk's husk0 (kept, like
# docker0, until the network is removed). While another interface holds a
# route for 10.88.0.0/16 (a husk0 of any store, even link-down), the host
# routes podman0's addresses there: podman's published port does not answer
# and its containers cannot reach their gateway. podman's default network
# then gets a /16 that no route of the host touches (containers.conf
# default_subnet); husk keeps its default.
if has_mode root && has_engine podman; then
  r=$(ip -4 route show match 10.88.0.0/16 | grep -v '^default' | grep -v ' dev podman0 ' || true)
  if [ -n "$r" ]; then
    sub=""
    for n in $(seq 90 250); do
      if [ -z "$(ip -4 route show match "10.$n.0.0/16" | grep -v '^default')" ] &&
         [ -z "$(ip -4 route show root "10.$n.0.0/16")" ]; then sub=10.$n.0.0/16; break; fi
    done
    [ -n "$sub" ] || die "10.88.0.0/16 is routed elsewhere ($r) and no free 10.N.0.0/16 was found for podman's default network"
    printf '\n[network]\ndefault_subnet = "%s"\n' "$sub" >>"$WORK/containers.conf"
    note "root: 10.88.0.0/16, podman's default subnet, is routed to another interface ($(echo "$r" | awk '{print $3}' | tr '\n' ' ' | sed 's/ $//')): podman's default network gets $sub (default_subnet in CONTAINERS_CONF)"
  fi
fi

# ---------------------------------------------------------------- 2. commands and YAML
# free_ports N: N distinct free TCP ports on 127.0.0.1
free_ports() {
  node -e '
    const net = require("net"); const n = +process.argv[1]; const s = [];
    let left = n;
    for (let i = 0; i < n; i++) {
      const v = net.createServer(); s.push(v);
      v.listen(0, "127.0.0.1", () => { if (--left === 0) {
        console.log(s.map((x) => x.address().port).join(" ")); s.forEach((x) => x.close()); } });
    }' "$1"
}
read -r -a PORTS <<<"$(free_ports 4)"
declare -A PORT
PORT[husk-rootless]=${PORTS[0]}; PORT[podman-rootless]=${PORTS[1]}
PORT[husk-root]=${PORTS[2]}; PORT[podman-root]=${PORTS[3]}

# Every command handles SIGTERM at once (sh as PID 1 ignores signals it has no
# trap for): the loops sleep in the background and `wait`, which a trapped
# signal interrupts. The pod step removes with -t 0 anyway; podman 4.3's
# kube down kills at once (its debug log: "Stopping ctr … (timeout 0)",
# signal 9), but a kube down that stops with the containers' timeout (10 s)
# would measure that wait without the trap.
LOOP="trap 'exit 0' TERM; while :; do sleep 60 & wait; done"
WEB="trap 'exit 0' TERM; mkdir -p /www; echo ok >/www/index.html; httpd -f -p 80 -h /www & wait"

# ================================================================ kube play (3 containers)
# The kube step: `kube play FILE` of one Pod with three busybox containers
# (the sleep loop), then `kube down FILE`. It runs for husk only when
# `husk kube play --help` succeeds (kube_supported); podman 4.3.1 has
# `podman kube play` / `podman kube down`. imagePullPolicy: Never, so neither
# engine pulls: the image was imported into every store. An imported image
# has no Env: `run` gives the container a default PATH, podman's kube play
# does not (exec: "sh": executable file not found in $PATH), so the YAML
# sets PATH.
cat >"$KUBE" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $KPOD
  labels:
    app: $KPOD
spec:
  restartPolicy: Never
  containers:
EOF
for c in one two three; do
  cat >>"$KUBE" <<EOF
  - name: $c
    image: $IMAGE
    imagePullPolicy: Never
    command: ["sh", "-c", "$LOOP"]
    env:
    - name: PATH
      value: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
done
chown -R "$BENCH_USER:" "$PROJ"
# kube_supported: husk has `kube play` (its --help exits 0) in this mode
kube_supported() { eng husk kube play --help >/dev/null 2>&1; }
# ================================================================ end kube play (YAML)

log "the pod step: $POD (publishes 127.0.0.1:PORT:80, a port per engine and mode: ${PORTS[*]}), members:"
echo "  $POD-web: sh -c \"$WEB\""
echo "  $POD-app: sh -c \"$LOOP\""
log "the kube step: $KUBE"
sed 's/^/  /' "$KUBE"

# ---------------------------------------------------------------- 3. cycles
# timed LABEL ENGINE CMD...: wall time around CMD (run_as included), a line
# "MODE LABEL ENGINE seconds" in $RES/times; output in $RES/MODE.LABEL.ENGINE.out
timed() {
  local label=$1 e=$2 t0 t1 rc=0 f; shift 2
  f=$RES/$MODE.$label.$e
  t0=$(date +%s.%N)
  "$@" >"$f.out" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  [ "$rc" = 0 ] || return "$rc"
  printf '%s %s %s %s\n' "$MODE" "$label" "$e" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" | tee -a "$RES/times"
}

# state ENGINE: "containers pods" left in the engine's store (any: the store
# is the run's own; infra containers count)
state() {
  local n p
  n=$(eng "$1" ps -a -q 2>/dev/null | grep -c . || true)
  p=$(eng "$1" pod ps -q 2>/dev/null | grep -c . || true)
  echo "$n $p"
}

# members ENGINE POD: "RUNNING_MEMBERS RUNNING_INFRA" of POD (podman fills
# {{.PodName}} only with --pod)
members() {
  eng "$1" ps --pod --format '{{.PodName}} {{.IsInfra}}' 2>/dev/null |
    awk -v p="$2" '$1 == p && $2 == "false" {m++} $1 == p && $2 == "true" {i++} END {print m+0, i+0}'
}

# fail ENGINE STEP PHASE REASON: husk: FAILED, no more husk in this mode and
# step, and its pod removed; podman: abort
fail() {
  local e=$1 st=$2 phase=$3; shift 3
  if [ "$e" = husk ]; then
    husk_fail "$MODE" "$st.$phase" "$*"
    HUSK_OK[$MODE.$st]=0
    if [ "$st" = kube ]; then eng husk kube down "$KUBE" >/dev/null 2>&1 || true; fi
    eng husk pod rm -a -f -t 0 >/dev/null 2>&1 || true
    eng husk rm -af >/dev/null 2>&1 || true
    return 1
  fi
  die "podman ($MODE, $st $phase): $*"
}

# term_check ENGINE STEP NAME...: the containers stop on SIGTERM at once
# (untimed, in the warm-up): stop -t 10 of them must take < 5 s, exit codes 0
term_check() {
  local e=$1 st=$2 t0 secs codes; shift 2
  t0=$(date +%s.%N)
  eng "$e" stop -t 10 "$@" >/dev/null 2>"$RES/$MODE.term.$e.err" ||
    { fail "$e" "$st" term "stop: $(last_err "$RES/$MODE.term.$e.err")"; return 1; }
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  codes=$(eng "$e" inspect --format '{{.State.ExitCode}}' "$@" 2>/dev/null | tr '\n' ' ')
  echo "  $e: stop -t 10 of $* took $secs s, exit codes $codes"
  if awk -v s="$secs" 'BEGIN {exit !(s >= 5)}' || [ "$(echo "$codes" | tr -d ' 0')" != "" ] ||
     [ "$(echo "$codes" | wc -w)" != $# ]; then
    fail "$e" "$st" term "the containers did not exit on SIGTERM ($secs s, exit codes $codes)"; return 1
  fi
}

# web_ok ENGINE: the pod's web member answers on the pod's published port;
# prints the seconds from the call to the first answer
web_ok() {
  local e=$1 i t0 body=""
  t0=$(date +%s.%N)
  for i in $(seq 40); do
    body=$(curl -s --max-time 2 "http://127.0.0.1:${PORT[$e-$MODE]}/" 2>/dev/null || true)
    [ "$body" = ok ] && break
    sleep 0.25
  done
  [ "$body" = ok ] || { echo "web did not answer on 127.0.0.1:${PORT[$e-$MODE]} within 10 s"; return 1; }
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f\n", b - a}'
}

# pod_cycle LABEL ENGINE: clean store -> timed pod create, run -d --pod (web),
# run -d --pod (app) -> (untimed) both members and the infra running, web
# answering on the pod's port -> timed pod rm -f -t 0 -> nothing left
pod_cycle() {
  local label=$1 e=$2 s ready
  s=$(state "$e")
  [ "$s" = "0 0" ] || { fail "$e" pod "$label" "store not clean before the cycle (containers, pods: $s)"; return 1; }
  echo "$MODE pod $(cut -d' ' -f1 /proc/loadavg)" >>"$RES/load"
  timed "create.$label" "$e" eng "$e" pod create --name "$POD" -p "127.0.0.1:${PORT[$e-$MODE]}:80" ||
    { fail "$e" pod create "pod create: $(last_err "$RES/$MODE.create.$label.$e.out")"; return 1; }
  timed "run1.$label" "$e" eng "$e" run -d --pod "$POD" --name "$POD-web" "$IMAGE" sh -c "$WEB" ||
    { fail "$e" pod run1 "run -d --pod (web): $(last_err "$RES/$MODE.run1.$label.$e.out")"; return 1; }
  timed "run2.$label" "$e" eng "$e" run -d --pod "$POD" --name "$POD-app" "$IMAGE" sh -c "$LOOP" ||
    { fail "$e" pod run2 "run -d --pod (app): $(last_err "$RES/$MODE.run2.$label.$e.out")"; return 1; }
  s=$(members "$e" "$POD")
  [ "$s" = "2 1" ] || { fail "$e" pod check "after the runs: running members, infra of $POD: $s, not 2 1"; return 1; }
  ready=$(web_ok "$e") || { fail "$e" pod check "after the runs: $ready"; return 1; }
  echo "$MODE ready.$label $e $ready" >>"$RES/times"
  if [ "$label" = warm ]; then term_check "$e" pod "$POD-web" "$POD-app" || return 1; fi
  timed "rm.$label" "$e" eng "$e" pod rm -f -t 0 "$POD" ||
    { fail "$e" pod rm "pod rm -f -t 0: $(last_err "$RES/$MODE.rm.$label.$e.out")"; return 1; }
  s=$(state "$e")
  [ "$s" = "0 0" ] || { fail "$e" pod rm "left after pod rm -f (containers, pods): $s"; return 1; }
}

# ================================================================ kube play (a cycle)
# kube_cycle LABEL ENGINE: clean store -> timed kube play -> (untimed) the
# three containers and the infra running in $KPOD -> timed kube down ->
# nothing left. Should a kube down stop with the containers' timeout
# (10 s), the loops' trap makes them exit at SIGTERM, which the warm-up checks.
kube_cycle() {
  local label=$1 e=$2 s
  s=$(state "$e")
  [ "$s" = "0 0" ] || { fail "$e" kube "$label" "store not clean before the cycle (containers, pods: $s)"; return 1; }
  echo "$MODE kube $(cut -d' ' -f1 /proc/loadavg)" >>"$RES/load"
  timed "play.$label" "$e" eng "$e" kube play "$KUBE" ||
    { fail "$e" kube play "kube play: $(last_err "$RES/$MODE.play.$label.$e.out")"; return 1; }
  s=$(members "$e" "$KPOD")
  [ "$s" = "3 1" ] || { fail "$e" kube check "after kube play: running members, infra of $KPOD: $s, not 3 1"; return 1; }
  if [ "$label" = warm ]; then
    # shellcheck disable=SC2046
    term_check "$e" kube $(eng "$e" ps --pod --format '{{.Names}} {{.PodName}} {{.IsInfra}}' |
      awk -v p="$KPOD" '$2 == p && $3 == "false" {print $1}') || return 1
  fi
  timed "down.$label" "$e" eng "$e" kube down "$KUBE" ||
    { fail "$e" kube down "kube down: $(last_err "$RES/$MODE.down.$label.$e.out")"; return 1; }
  s=$(state "$e")
  [ "$s" = "0 0" ] || { fail "$e" kube down "left after kube down (containers, pods): $s"; return 1; }
}
# ================================================================ end kube play (a cycle)

engines_order() { # STEP ROUND: the engines still measured in this mode and step, the order rotating per round
  local all=() e i n
  for e in "${ENGINES[@]}"; do [ "$e" != husk ] || [ "${HUSK_OK[$MODE.$1]}" = 1 ] && all+=("$e"); done
  n=${#all[@]}
  for i in $(seq 0 $((n - 1))); do echo "${all[$(( (i + $2) % n ))]}"; done
}

# ---------------------------------------------------------------- 4. the runs
for mode in "${MODES[@]}"; do
  set_mode "$mode"
  who=$BENCH_USER; [ "$mode" = root ] && who=root
  log "$mode (as $who): importing $FIXTURE as $IMAGE"
  if has_engine husk; then
    eng husk import "$FIXTURE" "$IMAGE" >/dev/null 2>"$RES/import.err" || {
      for s in pod kube; do
        step "$s" && husk_fail "$mode" "$s.import" "import: $(last_err "$RES/import.err")"; HUSK_OK[$mode.$s]=0
      done; }
  fi
  if has_engine podman; then
    eng podman import -q "$FIXTURE" "$IMAGE" >/dev/null 2>"$RES/import.err" ||
      die "podman import failed: $(last_err "$RES/import.err")"
  fi

  if step pod; then
    log "$mode, pod: warm-up cycle per engine (each makes its infra image; checks SIGTERM)"
    for e in $(engines_order pod 0); do pod_cycle warm "$e" || true; done
    log "$mode, pod: $RUNS timed cycles per engine, engines alternated (mode label engine seconds)"
    for i in $(seq "$RUNS"); do
      for e in $(engines_order pod "$i"); do pod_cycle "$i" "$e" || true; done
    done
  fi

  # ============================================================ kube play (the runs)
  if step kube; then
    if [ "${HUSK_OK[$mode.kube]}" = 1 ] && ! kube_supported; then
      HUSK_OK[$mode.kube]=0
      echo skipped >"$RES/skipped.$mode.kube"
      note "$mode, kube: husk skipped: \`husk kube play --help\` fails ($(eng husk kube play --help 2>&1 | tail -n1 | cut -c1-160))"
    fi
    log "$mode, kube: warm-up cycle per engine (checks SIGTERM)"
    for e in $(engines_order kube 0); do kube_cycle warm "$e" || true; done
    log "$mode, kube: $RUNS timed cycles per engine, engines alternated (mode label engine seconds)"
    for i in $(seq "$RUNS"); do
      for e in $(engines_order kube "$i"); do kube_cycle "$i" "$e" || true; done
    done
  fi
  # ============================================================ end kube play (the runs)

  left=$(ps -eo user=,args= | awk -v w="$WORK" -v u="$who" '$1 == u && index($0, w) && $2 != "awk"' | cut -c1-160 || true)
  if [ -n "$left" ]; then
    note "$mode: processes naming the temp dir still running after the last cycle:"
    echo "$left" | sed 's/^/  /' | tee -a "$RES/notes"
  fi
done

# ---------------------------------------------------------------- report
HUSK_VER="husk $( [ -x "$PKG/bin/husk" ] && "$PKG/bin/husk" --version 2>/dev/null || echo '?')"
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$HUSK_VER ($HUSK_REPO, $(git -C "$HUSK_REPO" rev-parse --short HEAD 2>/dev/null || echo '?')), $(podman --version | sed 's/ version//') (${PODMAN_STORAGE_DRIVER:-overlay}, $(runc --version | head -n1))"
echo "engines: ${ENGINES[*]}; modes: ${MODES[*]}; steps: $STEPS; $RUNS timed cycles each"
node - "$RES" "$RUNS" "$TARGET_RATIO" "${ENGINES[*]}" "${MODES[*]}" "$STEPS" <<'EOF'
const fs = require('fs');
const [dir, runs, target, engines, modes, steps] = process.argv.slice(2);
const rows = fs.readFileSync(`${dir}/times`, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
const failed = Object.fromEntries(fs.readdirSync(`${dir}/failed`).map((f) => [f, fs.readFileSync(`${dir}/failed/${f}`, 'utf8')]));
const loads = fs.readFileSync(`${dir}/load`, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const load = loads.map((l) => +l[2]);
const loadOf = (m, st) => { const v = loads.filter((l) => l[0] === m && l[1] === st).map((l) => +l[2]); return v.length ? `${Math.min(...v)}–${Math.max(...v)} (median ${median(v).toFixed(2)})` : '—'; };
const has = (e) => engines.split(' ').includes(e);
const hasStep = (s) => steps.split(',').includes(s);
// timed cycles only (labels step.N), not the warm-up
const labelsOf = (m, step, e) => rows.filter((r) => r[0] === m && r[1].split('.')[0] === step && r[1].split('.')[1] !== 'warm' && r[2] === e).map((r) => r[1].split('.')[1]);
const secs = (m, step, e) => rows.filter((r) => r[0] === m && r[1].split('.')[0] === step && r[1].split('.')[1] !== 'warm' && r[2] === e).map((r) => +r[3]);
const one = (m, step, label, e) => { const r = rows.find((x) => x[0] === m && x[1] === `${step}.${label}` && x[2] === e); return r ? +r[3] : NaN; };
// a cycle's total: the sum of its timed steps (the untimed checks between them excluded), only for cycles that completed
const totals = (m, stepNames, e) => labelsOf(m, stepNames[stepNames.length - 1], e)
  .map((l) => stepNames.reduce((a, s) => a + one(m, s, l, e), 0)).filter(Number.isFinite);
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const ratio = (h, p) => (Number.isFinite(h) && Number.isFinite(p) ? h / p : NaN);
const verdict = (r) => (Number.isFinite(r) ? (r <= +target ? 'met' : '**missed**') : '—');
const summary = { date: new Date().toISOString(), runs: +runs, target: +target, load: { min: Math.min(...load), median: median(load), max: Math.max(...load) }, modes: {}, failed, rows };
const defs = {
  pod: { name: 'pod create + 2 × run -d --pod + pod rm -f', steps: [
    ['create', '`pod create --name benchpod -p 127.0.0.1:PORT:80`'],
    ['run1', '`run -d --pod benchpod` (web, httpd)'],
    ['run2', '`run -d --pod benchpod` (app, sleep loop)'],
    ['rm', '`pod rm -f -t 0 benchpod`']] },
  kube: { name: 'kube play + kube down, a Pod of three containers', steps: [
    ['play', '`kube play kube.yaml`'],
    ['down', '`kube down kube.yaml`']] },
};
for (const m of modes.split(' ')) {
  summary.modes[m] = {};
  for (const st of ['pod', 'kube']) {
    if (!hasStep(st)) continue;
    const d = defs[st];
    const fails = Object.entries(failed).filter(([k]) => k.startsWith(`${m}.${st}.`));
    const skipped = fs.existsSync(`${dir}/skipped.${m}.${st}`);
    const cell = (e, v) => (!has(e) ? '—' : e === 'husk' && skipped ? 'skipped' : e === 'husk' && !Number.isFinite(v) && fails.length ? 'FAILED' : fmt(v));
    const names = d.steps.map((s) => s[0]);
    const med = {}, tot = {};
    for (const e of ['husk', 'podman']) {
      med[e] = Object.fromEntries(names.map((s) => [s, median(secs(m, s, e))]));
      tot[e] = median(totals(m, names, e));
    }
    const rTot = ratio(tot.husk, tot.podman);
    console.log(`\n${m}, ${st}: ${d.name} (load average at the cycles' starts: ${loadOf(m, st)}):\n`);
    const lines = ['| step, median of ' + runs + ' [s] | husk | podman | husk/podman | target ≤ ' + target + ' (the sequence) |', '| --- | --- | --- | --- | --- |'];
    for (const [s, what] of d.steps) {
      lines.push(`| ${what} | ${cell('husk', med.husk[s])} | ${cell('podman', med.podman[s])} | ${fmt(ratio(med.husk[s], med.podman[s]))} | |`);
    }
    lines.push(`| **the sequence** (sum of the steps per cycle) | ${cell('husk', tot.husk)} | ${cell('podman', tot.podman)} | ${fmt(rTot)} | ${verdict(rTot)} |`);
    if (st === 'pod') {
      const ready = { husk: median(secs(m, 'ready', 'husk')), podman: median(secs(m, 'ready', 'podman')) };
      lines.push(`| web answering, after the second run returned | ${cell('husk', ready.husk)} | ${cell('podman', ready.podman)} | | (untimed check) |`);
    }
    console.log(lines.join('\n'));
    console.log('');
    for (const e of ['husk', 'podman']) {
      if (!has(e)) continue;
      if (e === 'husk' && skipped) { console.log('husk: skipped (`husk kube play --help` fails)'); continue; }
      console.log(`${e}: ` + names.map((s) => `${s} [s] ${secs(m, s, e).map(fmt).join(' ') || '—'}`).join('; ') + `; total [s] ${totals(m, names, e).map(fmt).join(' ') || '—'}`);
    }
    for (const [k, why] of fails) console.log(`husk: FAILED in ${k} (${why})`);
    summary.modes[m][st] = { median: med, total: tot, ratio_total: rTot, skipped_husk: skipped };
  }
}
console.log(`\nload average (1 min) at the start of each cycle: min ${summary.load.min}, median ${summary.load.median.toFixed(2)}, max ${summary.load.max}`);
fs.writeFileSync(`${dir}/summary.json`, JSON.stringify(summary, null, 1) + '\n');
EOF
if [ -s "$RES/notes" ]; then echo; cat "$RES/notes"; fi
left_nat=$(comm -13 <(echo "$NAT_BEFORE") <(nat_chains) | grep -c . || true)
[ "$left_nat" = 0 ] || echo "$left_nat iptables nat chain(s) appeared during the run ($(comm -13 <(echo "$NAT_BEFORE") <(nat_chains) | tr '\n' ' ')); the empty NETAVARK-DN-* ones are removed at exit"

if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  cp "$RES"/summary.json "$RES"/times "$RES"/load "$RES"/notes "$OUT/"
  cp "$RES"/*.out "$OUT/" 2>/dev/null || true
  cp "$KUBE" "$OUT/kube.yaml"
  echo "results written to $OUT"
fi
