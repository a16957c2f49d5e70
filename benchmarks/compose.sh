#!/usr/bin/env bash
# `husk compose up -d` and `husk compose down` of a five-service project beside
# podman-compose, rootless and as root. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/compose.sh [--runs N] [--engines husk,podman]
#                    [--modes rootless,root] [--out DIR]
#
# HUSK=/path/to/bin/husk picks the husk checkout (default /work/main/bin/husk).
# Rootless, the engines run as the unprivileged user husktest; as root, as root;
# each engine has its own stores in a temp dir. The image is the test fixture's
# busybox, imported (no network pulls). A husk failure is reported as
# "husk: FAILED (reason)"; podman-compose still runs.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}                  # timed up -d / down cycles per engine and mode (median)
ENGINES=(husk podman)
MODES=(rootless root)
OUT=${BENCH_OUT:-}
HUSK_BIN=${HUSK:-/work/main/bin/husk}
BENCH_USER=husktest
FIXTURE=/tmp/husk-test-fixtures/busybox.tar
IMAGE=localhost/busybox:latest   # what both engines import the fixture as, and the services name
PROJECT=bench
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TARGET_RATIO=0.5                 # husk / podman-compose, for up -d and for down
# Debian's default PATH for users (/etc/login.defs ENV_PATH) has no sbin: husk
# finds nft in /usr/sbin but then runs it by name through nsenter, which fails
# there (see README). Both engines get the sbin directories; the plain PATH is
# checked once and reported.
RUN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
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
has_engine() { [[ " ${ENGINES[*]} " == *" $1 "* ]]; }
has_mode() { [[ " ${MODES[*]} " == *" $1 "* ]]; }

[ "$(id -u)" = 0 ] || die "run as root (rootless, the engines run as $BENCH_USER)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HUSK_REPO=$(cd "$(dirname "$HUSK_BIN")/.." && pwd)   # the checkout whose husk is measured

# ---------------------------------------------------------------- 1. tools
install_missing podman runc curl podman-compose
ensure_setup "$REPO" "$BENCH_USER" "$FIXTURE"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
if has_engine husk; then
  check_husk_built "$HUSK_REPO" ", or set HUSK"
fi
PC_VERSION=$(dpkg-query -W -f '${Version}' podman-compose 2>/dev/null || echo '?')

# ---------------------------------------------------------------- temp dirs + cleanup
# short paths: husk puts unix sockets at <runroot>/c/<64-hex id>/attach (108-byte limit)
WORK=$(mktemp -d /tmp/hc.XXXXXX)
chmod 755 "$WORK"
PKG=$WORK/pkg       # snapshot of husk, readable by husktest, immune to rebuilds
BHOME=$WORK/home    # husktest's HOME; its stores live under $BHOME/s
XDG=$WORK/x         # XDG_RUNTIME_DIR (podman's pause process, runroots)
RHOME=$WORK/rhome   # HOME of the engines run as root
RSTORE=$WORK/r      # stores of the engines run as root
PROJ=$WORK/proj     # the compose files, one directory per engine and mode
RES=$WORK/results
export BENCH_PATH=$RUN_PATH   # as_user's PATH

# the engines' command lines (arrays) for MODE: HUSK, PODMAN (podman's global
# flags, without "podman": podman-compose gets them as --podman-args)
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
# eng ENGINE ARGS...: the engine's own CLI (not compose) in this mode
eng() {
  local e=$1; shift
  if [ "$e" = husk ]; then run_as "${HUSK[@]}" "$@"; else run_as podman "${PODMAN[@]}" "$@"; fi
}
# compose ENGINE ARGS...: the compose front end on this mode's project file
compose() {
  local e=$1 f="$PROJ/$1-$MODE/compose.yaml"; shift
  if [ "$e" = husk ]; then run_as "${HUSK[@]}" compose -f "$f" -p "$PROJECT" "$@"
  else run_as podman-compose --podman-args "${PODMAN[*]}" -f "$f" -p "$PROJECT" "$@"
  fi
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
      eng husk rm -af >/dev/null 2>&1
      eng husk network rm "${PROJECT}_default" >/dev/null 2>&1
    fi
    if has_engine podman; then
      eng podman rm -af -t 0 >/dev/null 2>&1
      eng podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
    fi
  done
  # what the engines failed to stop: only processes whose argv names $WORK
  kill_user_procs "$BENCH_USER" "$WORK"
  has_mode root && kill_user_procs root "$WORK"
  # as root: interfaces that appeared during the run are reported, not deleted
  # (the engines' network rm above removes their bridges; a new interface
  # may be another session's on a shared machine)
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

# husk_fail MODE PHASE REASON...: husk's cells of that mode and phase are FAILED
declare -A HUSK_OK
for m in "${MODES[@]}"; do HUSK_OK[$m]=0; has_engine husk && HUSK_OK[$m]=1; done
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

# ---------------------------------------------------------------- 2. the project
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
# trap for, which would make down wait for the 10 s timeout): the loops sleep
# in the background and `wait`, which a trapped signal interrupts.
LOOP="trap 'exit 0' TERM; while :; do sleep 60 & wait; done"
for key in "${!PORT[@]}"; do
  mkdir -p "$PROJ/$key"
  cat >"$PROJ/$key/compose.yaml" <<EOF
services:
  web:
    image: $IMAGE
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo ok >/www/index.html; httpd -f -p 80 -h /www & wait"]
    ports: ["127.0.0.1:${PORT[$key]}:80"]
    depends_on: [api]
  api:
    image: $IMAGE
    command: ["sh", "-c", "$LOOP"]
    depends_on: [db, cache]
  worker:
    image: $IMAGE
    command: ["sh", "-c", "$LOOP"]
    depends_on: [db]
  db:
    image: $IMAGE
    command: ["sh", "-c", "$LOOP"]
    volumes: ["dbdata:/data"]
  cache:
    image: $IMAGE
    command: ["sh", "-c", "$LOOP"]
volumes:
  dbdata: {}
EOF
  chown -R "$BENCH_USER:" "$PROJ/$key"
done
log "the project ($PROJECT; web publishes 127.0.0.1:PORT, a port per engine and mode: ${PORTS[*]})"
sed 's/^/  /' "$PROJ/husk-rootless/compose.yaml"

# ---------------------------------------------------------------- 3. a cycle
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

# state ENGINE: "containers networks" left in the engine's store: how many
# containers (any, the store is the run's own) and whether the project network exists
state() {
  local n net
  n=$(eng "$1" ps -a -q 2>/dev/null | grep -c . || true)
  net=$(eng "$1" network ls --format '{{.Name}}' 2>/dev/null | grep -cx "${PROJECT}_default" || true)
  echo "$n $net"
}

# up_ok ENGINE: 5 containers running and web answering on its published port;
# prints the seconds from the call to the first answer
up_ok() {
  local e=$1 n i t0 t1 body=""
  t0=$(date +%s.%N)
  for i in $(seq 40); do
    body=$(curl -s --max-time 2 "http://127.0.0.1:${PORT[$e-$MODE]}/" 2>/dev/null || true)
    [ "$body" = ok ] && break
    sleep 0.25
  done
  [ "$body" = ok ] || { echo "web did not answer on 127.0.0.1:${PORT[$e-$MODE]} within 10 s"; return 1; }
  t1=$(date +%s.%N)
  n=$(eng "$e" ps --format '{{.Names}}' 2>/dev/null | grep -c . || true)
  [ "$n" = 5 ] || { echo "$n containers running, not 5"; return 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

# fail ENGINE PHASE REASON: husk: FAILED and no more husk in this mode; podman: abort
fail() {
  local e=$1 phase=$2; shift 2
  if [ "$e" = husk ]; then
    husk_fail "$MODE" "$phase" "$*"
    HUSK_OK[$MODE]=0
    compose husk down >/dev/null 2>&1 || true
    return 1
  fi
  die "podman-compose ($MODE, $phase): $*"
}

# term_check ENGINE: every container of the project stops on SIGTERM at once
# (untimed, in the warm-up): stop -t 10 all five must take < 5 s, exit codes 0
term_check() {
  local e=$1 names t0 secs codes
  names=$(eng "$e" ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' | sort)
  # shellcheck disable=SC2086
  [ "$(echo "$names" | grep -c .)" = 5 ] || { fail "$e" term "project has $(echo "$names" | grep -c .) containers, not 5: $names"; return 1; }
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  eng "$e" stop -t 10 $names >/dev/null 2>"$RES/$MODE.term.$e.err" || { fail "$e" term "stop: $(last_err "$RES/$MODE.term.$e.err")"; return 1; }
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  # shellcheck disable=SC2086
  codes=$(eng "$e" inspect --format '{{.State.ExitCode}}' $names 2>/dev/null | tr '\n' ' ')
  echo "  $e: stop -t 10 of the 5 containers took $secs s, exit codes $codes"
  if awk -v s="$secs" 'BEGIN {exit !(s >= 5)}' || [ "$(echo "$codes" | tr -d ' 0')" != "" ]; then
    fail "$e" term "the containers did not exit on SIGTERM ($secs s, exit codes $codes)"; return 1
  fi
}

# cycle LABEL ENGINE: clean state -> timed up -d -> checked -> timed down ->
# (podman-compose: its network removed, timed apart) -> nothing left
cycle() {
  local label=$1 e=$2 s ready
  s=$(state "$e")
  [ "$s" = "0 0" ] || { fail "$e" "$label" "store not clean before up (containers, project network: $s)"; return 1; }
  echo "$MODE $(cut -d' ' -f1 /proc/loadavg)" >>"$RES/load"
  timed "up.$label" "$e" compose "$e" up -d ||
    { fail "$e" up "compose up -d: $(last_err "$RES/$MODE.up.$label.$e.out")"; return 1; }
  ready=$(up_ok "$e") || { fail "$e" up "after up -d: $ready"; return 1; }
  echo "$MODE ready.$label $e $ready" >>"$RES/times"
  if [ "$label" = warm ]; then term_check "$e" || return 1; fi
  timed "down.$label" "$e" compose "$e" down ||
    { fail "$e" down "compose down: $(last_err "$RES/$MODE.down.$label.$e.out")"; return 1; }
  if [ "$e" = podman ]; then
    # podman-compose 1.0.3's down leaves the project network: removed here, timed apart
    timed "netrm.$label" "$e" eng podman network rm "${PROJECT}_default" ||
      die "podman network rm ${PROJECT}_default: $(last_err "$RES/$MODE.netrm.$label.$e.out")"
  fi
  s=$(state "$e")
  [ "$s" = "0 0" ] || { fail "$e" down "left after down (containers, project network): $s"; return 1; }
}

engines_order() { # ROUND: the engines still measured in this mode, the order rotating per round
  local all=() e i n
  for e in "${ENGINES[@]}"; do [ "$e" != husk ] || [ "${HUSK_OK[$MODE]}" = 1 ] && all+=("$e"); done
  n=${#all[@]}
  for i in $(seq 0 $((n - 1))); do echo "${all[$(( (i + $1) % n ))]}"; done
}

# ---------------------------------------------------------------- 4. the runs
for mode in "${MODES[@]}"; do
  set_mode "$mode"
  who=$BENCH_USER; [ "$mode" = root ] && who=root
  log "$mode (as $who): importing $FIXTURE as $IMAGE"
  if has_engine husk; then
    eng husk import "$FIXTURE" "$IMAGE" >/dev/null 2>"$RES/import.err" ||
      { husk_fail "$mode" import "import: $(last_err "$RES/import.err")"; HUSK_OK[$mode]=0; }
  fi
  if has_engine podman; then
    eng podman import -q "$FIXTURE" "$IMAGE" >/dev/null 2>"$RES/import.err" ||
      die "podman import failed: $(last_err "$RES/import.err")"
  fi

  if [ "$mode" = rootless ] && [ "${HUSK_OK[$mode]}" = 1 ]; then
    log "rootless: husk compose up -d with PATH=/usr/bin:/bin (Debian's user PATH has no sbin), once, untimed"
    if BENCH_PATH=/usr/bin:/bin compose husk up -d >"$RES/plainpath.out" 2>&1; then
      note "husk compose up -d with PATH=/usr/bin:/bin: ok"
    else
      note "husk compose up -d with PATH=/usr/bin:/bin fails: $(last_err "$RES/plainpath.out") (measured with PATH=$RUN_PATH, both engines)"
    fi
    compose husk down >/dev/null 2>&1 || true
  fi

  log "$mode: warm-up cycle per engine (creates the volume ${PROJECT}_dbdata, which down keeps; checks SIGTERM)"
  for e in $(engines_order 0); do cycle warm "$e" || true; done

  log "$mode: $RUNS timed cycles per engine, engines alternated (mode label engine seconds)"
  for i in $(seq "$RUNS"); do
    for e in $(engines_order "$i"); do cycle "$i" "$e" || true; done
  done
  left=$(ps -eo user=,args= | awk -v w="$WORK" -v u="$who" '$1 == u && index($0, w) && $2 != "awk"' | cut -c1-160 || true)
  if [ -n "$left" ]; then
    note "$mode: processes naming the temp dir still running after the last down:"
    echo "$left" | sed 's/^/  /' | tee -a "$RES/notes"
  fi
done

# ---------------------------------------------------------------- report
HUSK_VER="husk $( [ -x "$PKG/bin/husk" ] && "$PKG/bin/husk" --version 2>/dev/null || echo '?')"
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$HUSK_VER ($HUSK_REPO, $(git -C "$HUSK_REPO" rev-parse --short HEAD 2>/dev/null || echo '?')), podman-compose $PC_VERSION, $(podman --version | sed 's/ version//') (${PODMAN_STORAGE_DRIVER:-overlay}, $(runc --version | head -n1))"
echo "engines: ${ENGINES[*]}; modes: ${MODES[*]}; $RUNS timed cycles each"
node - "$RES" "$RUNS" "$TARGET_RATIO" "${ENGINES[*]}" "${MODES[*]}" <<'EOF'
const fs = require('fs');
const [dir, runs, target, engines, modes] = process.argv.slice(2);
const rows = fs.readFileSync(`${dir}/times`, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
const failed = Object.fromEntries(fs.readdirSync(`${dir}/failed`).map((f) => [f, fs.readFileSync(`${dir}/failed/${f}`, 'utf8')]));
const loads = fs.readFileSync(`${dir}/load`, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
const load = loads.map((l) => +l[1]);
const loadOf = (m) => { const v = loads.filter((l) => l[0] === m).map((l) => +l[1]); return v.length ? `${Math.min(...v)}–${Math.max(...v)} (median ${median(v).toFixed(2)})` : '—'; };
const has = (e) => engines.split(' ').includes(e);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
// timed cycles only (labels up.N, down.N, ...), not the warm-up
const secs = (m, step, e) => rows.filter((r) => r[0] === m && r[1].split('.')[0] === step && r[1].split('.')[1] !== 'warm' && r[2] === e).map((r) => +r[3]);
// podman-compose 1.0.3 sleeps 1 s after each `podman run` it starts
const sleeps = (m, label) => { try { return fs.readFileSync(`${dir}/${m}.up.${label}.podman.out`, 'utf8').split('\n').filter((l) => l.startsWith('podman run ')).length; } catch { return NaN; } };
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const ratio = (h, p) => (Number.isFinite(h) && Number.isFinite(p) ? h / p : NaN);
const verdict = (r) => (Number.isFinite(r) ? (r <= +target ? 'met' : '**missed**') : '—');
const summary = { date: new Date().toISOString(), runs: +runs, target: +target, load: { min: Math.min(...load), median: median(load), max: Math.max(...load) }, modes: {}, failed, rows };
for (const m of modes.split(' ')) {
  const fails = Object.entries(failed).filter(([k]) => k.startsWith(`${m}.`));
  const cell = (e, v) => (!has(e) ? '—' : e === 'husk' && !Number.isFinite(v) && fails.length ? 'FAILED' : fmt(v));
  const med = (step, e) => median(secs(m, step, e));
  const up = { husk: med('up', 'husk'), podman: med('up', 'podman') };
  const down = { husk: med('down', 'husk'), podman: med('down', 'podman') };
  const netrm = med('netrm', 'podman');
  const labels = rows.filter((r) => r[0] === m && r[1].startsWith('up.') && r[1] !== 'up.warm' && r[2] === 'podman').map((r) => r[1].slice(3));
  const upNoSleep = median(labels.map((l) => +rows.find((r) => r[0] === m && r[1] === `up.${l}` && r[2] === 'podman')[3] - sleeps(m, l)));
  const downNet = median(labels.map((l) => { const d = rows.find((r) => r[0] === m && r[1] === `down.${l}` && r[2] === 'podman'); const n = rows.find((r) => r[0] === m && r[1] === `netrm.${l}` && r[2] === 'podman'); return d && n ? +d[3] + +n[3] : NaN; }));
  const ready = { husk: med('ready', 'husk'), podman: med('ready', 'podman') };
  const nSleep = median(labels.map((l) => sleeps(m, l)));
  const rUp = ratio(up.husk, up.podman), rDown = ratio(down.husk, down.podman);
  console.log(`\n${m} (load average at the cycles' starts: ${loadOf(m)}):\n`);
  console.log([
    '| step, median of ' + runs + ' [s] | husk | podman-compose | husk/podman | target ≤ ' + target + ' |',
    '| --- | --- | --- | --- | --- |',
    `| \`compose up -d\` (5 services, network, volume) | ${cell('husk', up.husk)} | ${cell('podman', up.podman)} | ${fmt(rUp)} | ${verdict(rUp)} |`,
    `| \`compose down\` | ${cell('husk', down.husk)} | ${cell('podman', down.podman)} | ${fmt(rDown)} | ${verdict(rDown)} |`,
    `| podman-compose \`up -d\` without its ${Number.isFinite(nSleep) ? nSleep : '?'} × 1 s sleeps | | ${has('podman') ? fmt(upNoSleep) : '—'} | ${fmt(ratio(up.husk, upNoSleep))} | (information) |`,
    `| podman-compose \`down\` + \`podman network rm\` (what husk's down does) | | ${has('podman') ? fmt(downNet) : '—'} | ${fmt(ratio(down.husk, downNet))} | (information) |`,
    `| \`podman network rm\` alone | | ${has('podman') ? fmt(netrm) : '—'} | | |`,
    `| web answering, after \`up -d\` returned | ${cell('husk', ready.husk)} | ${cell('podman', ready.podman)} | | (untimed check) |`,
  ].join('\n'));
  console.log('');
  for (const e of ['husk', 'podman']) {
    if (!has(e)) continue;
    console.log(`${e}: up -d [s] ${secs(m, 'up', e).map(fmt).join(' ') || '—'}; down [s] ${secs(m, 'down', e).map(fmt).join(' ') || '—'}${e === 'podman' ? `; network rm [s] ${secs(m, 'netrm', e).map(fmt).join(' ') || '—'}` : ''}`);
  }
  for (const [k, why] of fails) console.log(`husk: FAILED in ${k} (${why})`);
  summary.modes[m] = { up, down, ratio_up: rUp, ratio_down: rDown, podman_up_without_sleeps: upNoSleep, podman_sleeps: nSleep, podman_down_plus_netrm: downNet, podman_netrm: netrm, ready };
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
  cp "$PROJ/husk-rootless/compose.yaml" "$OUT/compose.yaml"
  echo "results written to $OUT"
fi
