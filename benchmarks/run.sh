#!/usr/bin/env bash
# husk vs podman, side by side, rootless. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/run.sh [--runs N] [--rounds N] [--warmup N] [--out DIR]
#
# The engines run as the unprivileged user husktest (subordinate ids
# 100000:65536, created by test/setup.mjs), each with its own temporary
# storage. Everything temporary is removed on exit, also on failure.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3}
OUT=${BENCH_OUT:-}
BENCH_USER=husktest
FIXTURE=/tmp/husk-test-fixtures/busybox.tar
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TARGET_RATIO=0.5       # husk run time / podman run time
TARGET_MONITOR_KB=1024 # husk-monitor idle RSS
TARGET_EXEC_RATIO=0.5  # husk exec / podman exec
TARGET_PS_OVER_NODE_MS=30  # husk ps -a (100 containers) - node -e 0
PS_CONTAINERS=100

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[ "$RUNS" -ge 10 ] 2>/dev/null || { echo "--runs must be a number >= 10" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "run as root (the engines themselves run rootless as $BENCH_USER)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---------------------------------------------------------------- 1. tools
install_missing podman runc hyperfine
ensure_setup "$REPO" "$BENCH_USER" "$FIXTURE"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
check_husk_built "$REPO"

# ---------------------------------------------------------------- temp dirs + cleanup
# short paths: husk puts unix sockets at <runroot>/c/<64-hex id>/attach, and a
# socket path must fit in 108 bytes
WORK=$(mktemp -d /tmp/hb.XXXXXX)
chmod 755 "$WORK"
PKG=$WORK/pkg              # snapshot of husk, readable by husktest, immune to rebuilds
BHOME=$WORK/home           # husktest's HOME for the run
XDG=$WORK/x                # XDG_RUNTIME_DIR (podman's pause process, runroots)
RES=$WORK/results
HROOT=$BHOME/husk; HRUNROOT=$XDG/h
PROOT=$BHOME/podman; PRUNROOT=$XDG/p
HUSK_CTR=""; PODMAN_CTR=""; MON_PID=""; CONMON_PID=""

HUSK=("$PKG/bin/husk" --root "$HROOT" --runroot "$HRUNROOT")
# podman 4.3 would pick vfs for a fresh rootless store; husk uses kernel overlay:
# give podman the same (PODMAN_STORAGE_DRIVER=vfs to see the difference)
PODMAN=(podman --root "$PROOT" --runroot "$PRUNROOT" --runtime runc
        --cgroup-manager cgroupfs --events-backend file
        --storage-driver "${PODMAN_STORAGE_DRIVER:-overlay}")

# stop_engines: at exit (cleanup_on_exit), before $WORK goes
stop_engines() {
  local pid
  as_user "${HUSK[@]}" rm -af >/dev/null 2>&1
  as_user "${PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
  # whatever the engines failed to stop: only processes whose argv names $WORK
  for pid in $MON_PID $CONMON_PID; do
    [ -d "/proc/$pid" ] && grep -qF "$WORK" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
}
cleanup_on_exit stop_engines "$WORK" "$XDG" "$BENCH_USER"

snapshot_husk "$REPO" "$PKG" "$BENCH_USER"
mkdir -p "$BHOME" "$XDG" "$RES"
chown "$BENCH_USER:" "$BHOME" "$XDG" "$RES"; chmod 700 "$XDG"
install -m 644 "$PODMAN_CONF_SRC" "$WORK/containers.conf"

# ---------------------------------------------------------------- 2. images
log "importing $FIXTURE into both engines (rootless, user $BENCH_USER)"
as_user "${HUSK[@]}" import "$FIXTURE" busybox
as_user "${PODMAN[@]}" import -q "$FIXTURE" localhost/busybox 2> >(grep -v 'is not a shared mount' >&2)
# one run each: surfaces errors here instead of inside hyperfine, and fills husk's code cache
as_user "${HUSK[@]}" run --rm --network none busybox true || die "husk run failed"
as_user "${PODMAN[@]}" run --rm --network none busybox true || die "podman run failed"

# ---------------------------------------------------------------- 3. run --rm true
# This machine's speed drifts by tens of percent within minutes, and hyperfine
# runs one command's series after the other's: ROUNDS short rounds, each
# timing all three, put both engines under the same drift; the verdict is the
# median of the rounds' ratios.
log "hyperfine: $ROUNDS rounds, warmup $WARMUP, $RUNS runs each per round"
HUSK_CMD="${HUSK[*]} run --rm --network none busybox true"
PODMAN_CMD="${PODMAN[*]} run --rm --network none busybox true"
NODE_CMD="node -e 0"
for round in $(seq "$ROUNDS"); do
  as_user hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
    --export-json "$RES/run-$round.json" \
    -n husk "$HUSK_CMD" -n podman "$PODMAN_CMD" -n "node -e 0" "$NODE_CMD"
done

# leftovers of run --rm
left_h=$(find "$HROOT/containers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
left_p=$(as_user "${PODMAN[@]}" ps -aq | wc -l)
live_monitors() { ps -eo pid=,stat=,comm=,args= | awk -v w="$WORK" '$2 !~ /^Z/ && $3 == "husk-monitor" && index($0, w)' | cut -c1-120; }
for i in $(seq 30); do [ -z "$(live_monitors)" ] && break; sleep 0.1; done
live_mon=$(live_monitors | grep -c . || true)
LEFTOVERS="husk containers left: $left_h, husk monitors still alive 3 s later: $live_mon, podman containers left: $left_p"
[ "$live_mon" = 0 ] || { echo "bench: husk-monitor processes left after run --rm:" >&2; live_monitors >&2; }

# ---------------------------------------------------------------- 4. idle monitor memory
log "idle monitor memory (sleep 1000 in a detached container)"
SLEEP_ARGS=(sleep 1000)
SLEEP_NOTE=""
if ! HUSK_CTR=$(as_user "${HUSK[@]}" run -d --network none busybox "${SLEEP_ARGS[@]}" 2>"$RES/husk-d.err"); then
  SLEEP_NOTE="husk run -d busybox sleep 1000 failed ($(head -c 200 "$RES/husk-d.err")); used 'sleep 1000s'"
  echo "bench: $SLEEP_NOTE" >&2
  SLEEP_ARGS=(sleep 1000s)
  HUSK_CTR=$(as_user "${HUSK[@]}" run -d --network none busybox "${SLEEP_ARGS[@]}")
fi
HUSK_CTR=$(echo "$HUSK_CTR" | tail -n1)
PODMAN_CTR=$(as_user "${PODMAN[@]}" run -d --network none busybox "${SLEEP_ARGS[@]}" | tail -n1)
[ -n "$HUSK_CTR" ] && [ -n "$PODMAN_CTR" ] || die "could not start the detached containers"
sleep 1   # let both settle into their idle state

# the monitor is the husk-monitor with "--id <id>" in its argv that was reparented
# (to 1 or a subreaper), i.e. whose parent is not itself a husk-monitor
find_proc() { # comm, argv pattern -> pid
  local comm=$1 pat=$2 i pid ppid
  for i in $(seq 50); do
    while read -r pid ppid; do
      [ "$(cat "/proc/$ppid/comm" 2>/dev/null)" = "$comm" ] && continue
      echo "$pid"; return 0
    done < <(ps -eo pid=,ppid=,stat=,comm=,args= |
             awk -v c="$comm" -v p="$pat" '$3 !~ /^Z/ && $4 == c && index($0, p) {print $1, $2}')
    sleep 0.1
  done
  return 1
}
mem() { # pid -> "rss_kb pss_kb"
  local rss pss
  rss=$(ps -o rss= -p "$1" | tr -d ' ')
  pss=$(awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo "?")
  echo "${rss:-?} ${pss:-?}"
}
MON_PID=$(find_proc husk-monitor "--id $HUSK_CTR") || die "no husk-monitor with --id $HUSK_CTR"
CONMON_PID=$(find_proc conmon "-c $PODMAN_CTR") || die "no conmon with -c $PODMAN_CTR"
read -r MON_RSS MON_PSS < <(mem "$MON_PID")
read -r CONMON_RSS CONMON_PSS < <(mem "$CONMON_PID")
ps -o pid,ppid,rss,args -p "$MON_PID","$CONMON_PID" | cut -c1-110

# ---------------------------------------------------------------- 5. exec CTR true
# Into the same two detached containers, alternating rounds as above.
log "hyperfine: exec CTR true, $ROUNDS rounds"
as_user "${HUSK[@]}" exec "$HUSK_CTR" true || die "husk exec failed"
as_user "${PODMAN[@]}" exec "$PODMAN_CTR" true || die "podman exec failed"
for round in $(seq "$ROUNDS"); do
  as_user hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
    --export-json "$RES/exec-$round.json" \
    -n husk "${HUSK[*]} exec $HUSK_CTR true" -n podman "${PODMAN[*]} exec $PODMAN_CTR true" -n "node -e 0" "$NODE_CMD"
done

as_user "${HUSK[@]}" rm -f "$HUSK_CTR" >/dev/null && HUSK_CTR=""
as_user "${PODMAN[@]}" rm -f -t 0 "$PODMAN_CTR" >/dev/null && PODMAN_CTR=""

# ---------------------------------------------------------------- 6. ps -a with 100 containers
log "ps -a with $PS_CONTAINERS created containers in each engine"
for i in $(seq "$PS_CONTAINERS"); do
  as_user "${HUSK[@]}" create --network none busybox true >/dev/null
  as_user "${PODMAN[@]}" create --network none busybox true >/dev/null
done
[ "$(as_user "${HUSK[@]}" ps -aq | wc -l)" = "$PS_CONTAINERS" ] || die "husk does not list $PS_CONTAINERS containers"
[ "$(as_user "${PODMAN[@]}" ps -aq | wc -l)" = "$PS_CONTAINERS" ] || die "podman does not list $PS_CONTAINERS containers"
for round in $(seq "$ROUNDS"); do
  as_user hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
    --export-json "$RES/ps-$round.json" \
    -n husk "${HUSK[*]} ps -a" -n podman "${PODMAN[*]} ps -a" -n "node -e 0" "$NODE_CMD"
done
as_user "${HUSK[@]}" rm -af >/dev/null
as_user "${PODMAN[@]}" rm -af >/dev/null

# ---------------------------------------------------------------- report
HUSK_VER="husk $(as_user "${HUSK[@]}" --version 2>/dev/null || echo ?)"
HUSK_DRV=$(as_user "${HUSK[@]}" info 2>/dev/null | awk '$1 == "graphDriverName:" {print $2}')
PODMAN_VER=$(podman --version | sed 's/ version//')
PODMAN_DRV=$(as_user "${PODMAN[@]}" info --format '{{.Store.GraphDriverName}}' 2>/dev/null)
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$HUSK_VER (${HUSK_DRV:-?}), $PODMAN_VER (${PODMAN_DRV:-?}, $(runc --version | head -n1))"
node - "$TARGET_RATIO" "$RES"/run-*.json <<'EOF'
const [target, ...files] = process.argv.slice(2);
const rounds = files.map((f) => Object.fromEntries(JSON.parse(require('fs').readFileSync(f, 'utf8')).results.map((r) => [r.command, r])));
const ms = (s) => (s * 1000).toFixed(1);
const pad = (s, n) => String(s).padEnd(n);
const stats = (name) => {
  const times = rounds.flatMap((r) => r[name].times);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const sd = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / (times.length - 1));
  return { mean, sd, min: Math.min(...times), n: times.length };
};
console.log(pad('command', 12) + pad('mean ± stddev [ms]', 22) + pad('min [ms]', 10) + 'runs');
for (const name of ['husk', 'podman', 'node -e 0']) {
  const s = stats(name);
  console.log(pad(name, 12) + pad(`${ms(s.mean)} ± ${ms(s.sd)}`, 22) + pad(ms(s.min), 10) + s.n);
}
const ratios = rounds.map((r) => r.husk.mean / r.podman.mean).sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)];
console.log(`husk/podman per round: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
console.log(`husk/podman (median of rounds): ${median.toFixed(2)}  target <= ${target}: ${median <= target ? 'met' : 'MISSED'}`);
const floor = stats('node -e 0').mean;
console.log(`above the node -e 0 floor: husk ${ms(stats('husk').mean - floor)} ms, podman ${ms(stats('podman').mean - floor)} ms`);
EOF
node - "$TARGET_EXEC_RATIO" "$TARGET_PS_OVER_NODE_MS" "$PS_CONTAINERS" "$RES" <<'EOF2'
const [execTarget, psTarget, n, dir] = process.argv.slice(2);
const fs = require('fs');
const load = (prefix) => fs.readdirSync(dir).filter((f) => f.startsWith(prefix)).map((f) =>
  Object.fromEntries(JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).results.map((r) => [r.command, r])));
const mean = (rounds, name) => { const t = rounds.flatMap((r) => r[name].times); return t.reduce((a, b) => a + b, 0) / t.length; };
const ms = (s) => (s * 1000).toFixed(1);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ex = load('exec-'), ps = load('ps-');
const exRatio = median(ex.map((r) => r.husk.mean / r.podman.mean));
console.log(`exec CTR true: husk ${ms(mean(ex, 'husk'))} ms, podman ${ms(mean(ex, 'podman'))} ms, node -e 0 ${ms(mean(ex, 'node -e 0'))} ms; husk/podman (median of rounds) ${exRatio.toFixed(2)}  target <= ${execTarget}: ${exRatio <= +execTarget ? 'met' : 'MISSED'}`);
const over = median(ps.map((r) => (r.husk.mean - r['node -e 0'].mean) * 1000));
console.log(`ps -a, ${n} containers: husk ${ms(mean(ps, 'husk'))} ms, podman ${ms(mean(ps, 'podman'))} ms, node -e 0 ${ms(mean(ps, 'node -e 0'))} ms; husk - node (median of rounds) ${over.toFixed(1)} ms  target <= ${psTarget}: ${over <= +psTarget ? 'met' : 'MISSED'}`);
EOF2
mon_ok=MISSED; [ "$MON_RSS" -le "$TARGET_MONITOR_KB" ] 2>/dev/null && mon_ok=met
printf 'idle monitor   RSS %5s kB  Pss %5s kB   (husk-monitor, target <= %s kB: %s)\n' \
  "$MON_RSS" "$MON_PSS" "$TARGET_MONITOR_KB" "$mon_ok"
printf 'idle monitor   RSS %5s kB  Pss %5s kB   (conmon)\n' "$CONMON_RSS" "$CONMON_PSS"
echo "after the timed run --rm loops: $LEFTOVERS"
[ -n "$SLEEP_NOTE" ] && echo "note: $SLEEP_NOTE"

if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  cp "$RES"/run-*.json "$RES"/exec-*.json "$RES"/ps-*.json "$OUT/"
  printf '{"date":"%s","husk_monitor":{"rss_kb":%s,"pss_kb":%s},"conmon":{"rss_kb":%s,"pss_kb":%s}}\n' \
    "$(date -u +%FT%TZ)" "$MON_RSS" "$MON_PSS" "$CONMON_RSS" "$CONMON_PSS" >"$OUT/monitor.json"
  echo "json written to $OUT"
fi
