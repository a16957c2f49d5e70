#!/usr/bin/env bash
# husk vs podman with resource limits, side by side, as root. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/resources.sh [--runs N] [--rounds N] [--warmup N]
#                    [--steps run,net,stats] [--containers N] [--out DIR]
#
# Rootful on purpose: on a host with cgroup v1 controllers neither engine can
# set limits rootless. Each engine gets its own fresh store in a temp dir and
# the test busybox fixture imported; everything (containers, stores, network
# interfaces the run created) is removed on exit, also on failure.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
STEPS=${STEPS:-run,net,stats}
N_CTR=${N_CTR:-20}         # running containers for stats
OUT=${BENCH_OUT:-}
FIXTURE=/tmp/husk-test-fixtures/busybox.tar
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TARGET_RUN_RATIO=0.5          # husk run --rm --memory / podman's
TARGET_STATS_OVER_NODE_MS=100 # husk stats --no-stream - node -e 0

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --containers) N_CTR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[ "$RUNS" -ge 2 ] 2>/dev/null || { echo "--runs must be a number >= 2" >&2; exit 2; }
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "--rounds must be a number >= 1" >&2; exit 2; }
step() { [[ ,$STEPS, == *,$1,* ]]; }

[ "$(id -u)" = 0 ] || die "run as root (limits need root on a cgroup v1 host; both engines run as root)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---------------------------------------------------------------- 1. tools
install_missing podman runc hyperfine
ensure_setup "$REPO" husktest "$FIXTURE"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
check_husk_built "$REPO"
if [ -d /sys/fs/cgroup/memory ]; then CGROUPS="cgroup v1 (memory controller at /sys/fs/cgroup/memory)"
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then CGROUPS="cgroup v2 ($(cat /sys/fs/cgroup/cgroup.controllers))"
else CGROUPS="unknown cgroups"; fi

# ---------------------------------------------------------------- temp dirs + cleanup
# short paths: husk puts unix sockets at <runroot>/c/<64-hex id>/attach (108-byte sun_path)
WORK=$(mktemp -d /tmp/hR.XXXXXX)
chmod 755 "$WORK"
PKG=$WORK/pkg; RES=$WORK/results
HUSK=("$PKG/bin/husk" --root "$WORK/h" --runroot "$WORK/hr")
# podman's state, runroot and tmpdir all in the temp dir: nothing shared with
# a root podman of the host
PODMAN=(podman --root "$WORK/p" --runroot "$WORK/pr" --tmpdir "$WORK/pt" --runtime runc
        --cgroup-manager cgroupfs --events-backend file --storage-driver overlay)
export CONTAINERS_CONF=$WORK/containers.conf
LINKS_BEFORE=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)
CTR_IDS=""   # detached containers, for the leftover-cgroup check

# stop_engines: at exit (cleanup_on_exit), before $WORK goes
stop_engines() {
  local l
  [ -x "$PKG/bin/husk" ] && "${HUSK[@]}" rm -af >/dev/null 2>&1
  "${PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
  # whatever the engines failed to stop: only root's processes whose argv names $WORK
  # (monitors, conmon), never this script or anything else
  kill_user_procs root "$WORK"
  # interfaces that appeared during the run and that an engine made (bridges, veths)
  for l in $(comm -13 <(echo "$LINKS_BEFORE") \
             <(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)); do
    case "$l" in husk*|podman*|veth*|cni-podman*) ip link del "$l" 2>/dev/null ;; esac
  done
}
cleanup_on_exit stop_engines "$WORK" "$WORK/no-xdg" root

snapshot_husk "$REPO" "$PKG" root
mkdir -p "$RES"
install -m 644 "$PODMAN_CONF_SRC" "$WORK/containers.conf"

# ---------------------------------------------------------------- 2. images
log "fresh stores in $WORK, importing $FIXTURE into both engines (as root)"
"${HUSK[@]}" import --change 'CMD ["sh"]' "$FIXTURE" busybox >/dev/null
"${PODMAN[@]}" import -q --change 'CMD ["sh"]' "$FIXTURE" busybox >/dev/null \
  2> >(grep -v 'is not a shared mount' >&2)

# limit_seen ENGINE...: the memory limit of a detached container's cgroup, read on
# the host through its init's /proc/PID/cgroup (v1: the memory hierarchy's path)
limit_seen() {
  local id pid rel v
  id=$("$@" run -d --memory 64m --network none busybox sleep 600 2>/dev/null | tail -n1) || { echo "run -d failed"; return 0; }
  pid=$("$@" inspect --format '{{.State.Pid}}' "$id" 2>/dev/null | tail -n1)
  if [ -d /sys/fs/cgroup/memory ]; then
    rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
    v=$(cat "/sys/fs/cgroup/memory$rel/memory.limit_in_bytes" 2>/dev/null || echo "?")
  else
    rel=$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
    v=$(cat "/sys/fs/cgroup$rel/memory.max" 2>/dev/null || echo "?")
  fi
  "$@" rm -f -t 0 "$id" >/dev/null 2>&1
  echo "$v (${rel:-no cgroup})"
}

# rounds NAME CMD...: ROUNDS hyperfine invocations of the named commands
# ("-n name cmd" pairs), each into $RES/NAME-ROUND.json. This machine's speed
# drifts by tens of percent within minutes: short rounds timing all commands
# put the engines under the same drift, and ratios are medians of the rounds'.
rounds() {
  local name=$1 r; shift
  for r in $(seq "$ROUNDS"); do
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
      --export-json "$RES/$name-$r.json" "$@"
  done
}
NODE=(-n "node -e 0" "node -e 0")

# ---------------------------------------------------------------- 3. run --rm --memory 64m
NOTES=()
if step run; then
  log "run --rm [--memory 64m] --network none busybox true: $ROUNDS rounds x $RUNS runs, warmup $WARMUP"
  # one run each first: errors surface here rather than inside hyperfine, and husk's code cache fills
  "${HUSK[@]}" run --rm --memory 64m --network none busybox true || die "husk run --memory failed"
  "${PODMAN[@]}" run --rm --memory 64m --network none busybox true || die "podman run --memory failed"
  HL=$(limit_seen "${HUSK[@]}"); PL=$(limit_seen "${PODMAN[@]}")
  echo "memory limit of a --memory 64m container's cgroup: husk $HL; podman $PL (64m = 67108864)"
  [ "${HL%% *}" = 67108864 ] || NOTES+=("husk's container saw memory limit '$HL', not 67108864")
  [ "${PL%% *}" = 67108864 ] || NOTES+=("podman's container saw memory limit '$PL', not 67108864")
  rounds run \
    -n "husk --memory" "${HUSK[*]} run --rm --memory 64m --network none busybox true" \
    -n "podman --memory" "${PODMAN[*]} run --rm --memory 64m --network none busybox true" \
    -n "husk" "${HUSK[*]} run --rm --network none busybox true" \
    -n "podman" "${PODMAN[*]} run --rm --network none busybox true" \
    "${NODE[@]}"
fi

# ---------------------------------------------------------------- 4. the same with the default network
if step net; then
  log "run --rm --memory 64m busybox true, default network: $ROUNDS rounds x $RUNS runs"
  if ! "${HUSK[@]}" run --rm --memory 64m busybox true 2>"$RES/net.err"; then
    NOTES+=("default network skipped: husk failed: $(grep . "$RES/net.err" | tail -n2 | tr '\n' ' ' | cut -c1-200)")
  elif ! "${PODMAN[@]}" run --rm --memory 64m busybox true 2>"$RES/net.err"; then
    NOTES+=("default network skipped: podman failed: $(grep -v 'shared mount' "$RES/net.err" | grep . | tail -n2 | tr '\n' ' ' | cut -c1-200)")
  else
    IFS_H=$("${HUSK[@]}" run --rm busybox cat /proc/net/dev | awk -F: 'NR > 2 {gsub(/ /, "", $1); printf "%s ", $1}')
    IFS_P=$("${PODMAN[@]}" run --rm busybox cat /proc/net/dev | awk -F: 'NR > 2 {gsub(/ /, "", $1); printf "%s ", $1}')
    echo "default network interfaces: husk: $IFS_H; podman: $IFS_P"
    echo "$IFS_H" >"$RES/ifs-husk"; echo "$IFS_P" >"$RES/ifs-podman"
    rounds net \
      -n "husk --memory" "${HUSK[*]} run --rm --memory 64m busybox true" \
      -n "podman --memory" "${PODMAN[*]} run --rm --memory 64m busybox true"
  fi
fi

# ---------------------------------------------------------------- 5. stats --no-stream, N running containers
if step stats; then
  log "stats --no-stream with $N_CTR running containers per engine (sleep 600, --memory 64m)"
  for i in $(seq "$N_CTR"); do
    CTR_IDS+=" $("${HUSK[@]}" run -d --memory 64m --network none busybox sleep 600 | tail -n1)"
    CTR_IDS+=" $("${PODMAN[@]}" run -d --memory 64m --network none busybox sleep 600 2>/dev/null | tail -n1)"
  done
  nh=$("${HUSK[@]}" ps -q | wc -l); np=$("${PODMAN[@]}" ps -q | wc -l)
  [ "$nh" = "$N_CTR" ] || die "husk runs $nh containers, not $N_CTR"
  [ "$np" = "$N_CTR" ] || die "podman runs $np containers, not $N_CTR"
  # both list every container, each with the 64 MiB limit (67.1MB in docker's units)
  rows_h=$("${HUSK[@]}" stats --no-stream | tail -n +2 | grep -c '/ 67\.1' || true)
  rows_p=$("${PODMAN[@]}" stats --no-stream | tail -n +2 | grep -c '/ 67\.1' || true)
  echo "stats rows with a 64 MiB limit: husk $rows_h, podman $rows_p (of $N_CTR)"
  [ "$rows_h" = "$N_CTR" ] || NOTES+=("husk stats showed $rows_h rows with a 64 MiB limit, not $N_CTR")
  [ "$rows_p" = "$N_CTR" ] || NOTES+=("podman stats showed $rows_p rows with a 64 MiB limit, not $N_CTR")
  rounds stats \
    -n husk "${HUSK[*]} stats --no-stream" \
    -n podman "${PODMAN[*]} stats --no-stream" \
    "${NODE[@]}"
  "${HUSK[@]}" rm -af -t 0 >/dev/null 2>&1 || "${HUSK[@]}" rm -af >/dev/null
  "${PODMAN[@]}" rm -af -t 0 >/dev/null
  # the engines removed their cgroups with their containers
  sleep 0.5
  LEFT_CG=0
  for id in $CTR_IDS; do
    n=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*${id:0:12}*" 2>/dev/null | wc -l)
    LEFT_CG=$((LEFT_CG + n))
  done
  echo "cgroup directories left by the $((2 * N_CTR)) removed containers: $LEFT_CG"
  [ "$LEFT_CG" = 0 ] || NOTES+=("$LEFT_CG cgroup directories left after rm -af: $(for id in $CTR_IDS; do find /sys/fs/cgroup -maxdepth 4 -type d -name "*${id:0:12}*"; done 2>/dev/null | head -n3 | tr '\n' ' ')")
fi

# ---------------------------------------------------------------- report
HUSK_VER="husk $("${HUSK[@]}" --version 2>/dev/null || echo ?)"
PODMAN_VER=$(podman --version | sed 's/ version//')
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r))"
echo "$HUSK_VER ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo ?)), $PODMAN_VER (overlay, $(runc --version | head -n1)), $CGROUPS"
echo "$ROUNDS rounds x $RUNS runs, warmup $WARMUP; ms are means over all rounds, ratios the median of the rounds' ratios of means"
echo
node - "$RES" "$TARGET_RUN_RATIO" "$TARGET_STATS_OVER_NODE_MS" "$N_CTR" <<'EOF'
const fs = require('fs');
const [dir, tRun, tStats, n] = process.argv.slice(2);
const load = (p) => fs.readdirSync(dir).filter((f) => f.startsWith(`${p}-`) && f.endsWith('.json')).map((f) =>
  Object.fromEntries(JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).results.map((r) => [r.command, r])));
const mean = (rs, k) => { const t = rs.flatMap((r) => r[k].times); return t.reduce((a, b) => a + b, 0) / t.length; };
const min = (rs, k) => Math.min(...rs.flatMap((r) => r[k].times));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length; return m % 2 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2; };
const ms = (s) => (s * 1000).toFixed(1);
const ok = (c) => (c ? 'met' : '**missed**');
const rows = ['| step | husk [ms] | podman [ms] | husk/podman | target |', '| --- | --- | --- | --- | --- |'];
const summary = {};
const pairRow = (rs, label, h, p, target) => {
  const ratio = median(rs.map((r) => r[h].mean / r[p].mean));
  summary[label] = { husk: mean(rs, h), podman: mean(rs, p), husk_min: min(rs, h), podman_min: min(rs, p), ratio, rounds: rs.map((r) => r[h].mean / r[p].mean) };
  rows.push(`| ${label} | ${ms(mean(rs, h))} | ${ms(mean(rs, p))} | ${ratio.toFixed(2)} (rounds ${rs.map((r) => (r[h].mean / r[p].mean).toFixed(2)).join(' ')}) | ${target ? `≤ ${target}: ${ok(ratio <= +target)}` : '—'} |`);
};
const run = load('run'), net = load('net'), st = load('stats');
if (run.length) {
  pairRow(run, '`run --rm --memory 64m --network none busybox true`', 'husk --memory', 'podman --memory', tRun);
  pairRow(run, '`run --rm --network none busybox true` (no limit, reference)', 'husk', 'podman', '');
}
if (net.length) {
  const ifs = (e) => { try { return fs.readFileSync(`${dir}/ifs-${e}`, 'utf8').trim(); } catch { return '?'; } };
  pairRow(net, `\`run --rm --memory 64m busybox true\`, default network (husk: ${ifs('husk')}; podman: ${ifs('podman')})`, 'husk --memory', 'podman --memory', '');
}
if (st.length) {
  const node = mean(st, 'node -e 0'), h = mean(st, 'husk');
  const over = median(st.map((r) => r.husk.mean - r['node -e 0'].mean));
  const ratio = median(st.map((r) => r.husk.mean / r.podman.mean));
  summary.stats = { husk: h, podman: mean(st, 'podman'), node, husk_over_node: over, ratio };
  rows.push(`| \`stats --no-stream\`, ${n} running containers | ${ms(h)} | ${ms(mean(st, 'podman'))} | ${ratio.toFixed(2)} | husk − node ≤ ${tStats} ms: ${ms(over)} ms, ${ok(over * 1000 <= +tStats)} |`);
  rows.push(`| \`node -e 0\` (floor) | ${ms(node)} | | | |`);
}
if (run.length) rows.push(`| \`node -e 0\` during the run rounds | ${ms(mean(run, 'node -e 0'))} | | | |`);
console.log(rows.join('\n'));
fs.writeFileSync(`${dir}/summary.json`, JSON.stringify({ date: new Date().toISOString(), ...summary }, null, 1) + '\n');
EOF
for n in "${NOTES[@]}"; do echo "note: $n"; done

if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  cp "$RES"/*.json "$OUT/"
  echo "json written to $OUT"
fi
