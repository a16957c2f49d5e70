#!/usr/bin/env bash
# `husk build` vs `podman build` of a five-step Dockerfile with ~800 MB of
# context, rootless. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/build.sh [--runs N] [--cached-runs N]
#                    [--engines husk,podman] [--big N] [--small N] [--out DIR]
#
# HUSK=/path/to/bin/husk picks the husk checkout (default /work/main/bin/husk).
# The engines run as the unprivileged user husktest, each with its own stores;
# the base image is the test fixture's busybox, imported (no network pulls).
# A husk failure is reported as "husk: FAILED (reason)"; podman still runs.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}                # cold builds and one-file-changed rebuilds per engine (median)
CACHED_RUNS=${CACHED_RUNS:-10} # hyperfine runs of the fully cached rebuild
N_BIG=${N_BIG:-11}             # context: N_BIG files of 64 MiB ...
N_SMALL=${N_SMALL:-2000}       # ... and N_SMALL files of 4-64 KiB: ~770 MiB (~808 MB) by default
ENGINES=(husk podman)
OUT=${BENCH_OUT:-}
HUSK_BIN=${HUSK:-/work/main/bin/husk}
BENCH_USER=husktest
FIXTURE=/tmp/husk-test-fixtures/busybox.tar
BASE=localhost/busybox:latest
TAG=localhost/bench-build:latest
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TARGET_COLD_RATIO=0.5              # husk cold build / podman cold build
TARGET_CACHED_OVER_NODE_S=1        # husk cached rebuild - node -e 0
TARGET_RSS_KB=$((200 * 1024))      # husk peak RSS during the cold build

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --cached-runs) CACHED_RUNS=$2; shift 2 ;;
    --engines) read -r -a ENGINES <<<"${2//,/ }"; shift 2 ;;
    --big) N_BIG=$2; shift 2 ;;
    --small) N_SMALL=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
for v in RUNS CACHED_RUNS; do
  [ "${!v}" -ge 1 ] 2>/dev/null || { echo "$v must be a number >= 1" >&2; exit 2; }
done
for v in N_BIG N_SMALL; do
  [ "${!v}" -ge 0 ] 2>/dev/null || { echo "$v must be a number >= 0" >&2; exit 2; }
done
[ ${#ENGINES[@]} -ge 1 ] || { echo "--engines: husk, podman or both" >&2; exit 2; }
for e in "${ENGINES[@]}"; do
  case "$e" in husk|podman) ;; *) echo "--engines: unknown engine $e" >&2; exit 2 ;; esac
done
has_engine() { [[ " ${ENGINES[*]} " == *" $1 "* ]]; }

[ "$(id -u)" = 0 ] || die "run as root (the engines themselves run rootless as $BENCH_USER)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HUSK_REPO=$(cd "$(dirname "$HUSK_BIN")/.." && pwd)   # the checkout whose husk is measured

# ---------------------------------------------------------------- 1. tools
install_missing podman runc hyperfine /usr/bin/time=time
ensure_setup "$REPO" "$BENCH_USER" "$FIXTURE"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
if has_engine husk; then
  check_husk_built "$HUSK_REPO" ", or set HUSK"
fi

# ---------------------------------------------------------------- temp dirs + cleanup
# short paths: husk puts unix sockets at <runroot>/c/<64-hex id>/attach (108-byte limit)
WORK=$(mktemp -d /tmp/hB.XXXXXX)
chmod 755 "$WORK"
PKG=$WORK/pkg       # snapshot of husk, readable by husktest, immune to rebuilds
BHOME=$WORK/home    # husktest's HOME; the stores live under $BHOME/s
XDG=$WORK/x         # XDG_RUNTIME_DIR (podman's pause process, runroots)
CTX=$WORK/ctx       # the build context, owned by husktest
RES=$WORK/results
SAMPLER_PID=""

# podman 4.3 would pick vfs for a fresh rootless store; husk uses kernel overlay:
# give podman the same (PODMAN_STORAGE_DRIVER=vfs to see the difference)
PODMAN_FLAGS=(--runtime runc --cgroup-manager cgroupfs --events-backend file
              --storage-driver "${PODMAN_STORAGE_DRIVER:-overlay}")
# eng ENGINE STORE: ENG=(the engine's command line on store number STORE)
eng() {
  case "$1" in
    husk) ENG=("$PKG/bin/husk" --root "$BHOME/s/h$2" --runroot "$XDG/h$2") ;;
    podman) ENG=(podman --root "$BHOME/s/p$2" --runroot "$XDG/p$2" "${PODMAN_FLAGS[@]}") ;;
  esac
}

# stop_builds: at exit (cleanup_on_exit), before $WORK goes
stop_builds() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  # builds still running (interrupted)
  kill_user_procs "$BENCH_USER" "$WORK"
}
cleanup_on_exit stop_builds "$WORK" "$XDG" "$BENCH_USER"

has_engine husk && snapshot_husk "$HUSK_REPO" "$PKG" "$BENCH_USER"
mkdir -p "$BHOME/s" "$XDG" "$RES/failed" "$CTX"
chown "$BENCH_USER:" "$BHOME" "$BHOME/s" "$XDG" "$RES" "$CTX"; chmod 700 "$XDG"
install -m 644 "$PODMAN_CONF_SRC" "$WORK/containers.conf"

# husk_fail PHASE REASON...: husk's cells of that phase are FAILED, the run goes on
husk_fail() {
  local phase=$1; shift
  local reason
  reason=$(printf '%s' "$*" | tr '\n' ' ' | sed 's/  */ /g; s/ $//' | cut -c1-200)
  [ -s "$RES/failed/$phase" ] || printf '%s' "$reason" >"$RES/failed/$phase"
  echo "husk: FAILED ($reason) [$phase]" >&2
}
HUSK_OK=0; has_engine husk && HUSK_OK=1   # 0 after husk's first failed build: no more husk builds
last_err() { grep -v 'is not a shared mount' "$1" 2>/dev/null | grep . | tail -n3 | tr '\n' ' ' | cut -c1-200; }

# ---------------------------------------------------------------- 2. the context
need_kb=$(( (N_BIG * 64 + N_SMALL / 16 + 100) * 1024 * (1 + 4 * RUNS * ${#ENGINES[@]}) ))
free_kb=$(df -Pk "$WORK" | awk 'NR == 2 {print $4}')
[ "$free_kb" -gt "$need_kb" ] || die "$WORK needs about $((need_kb / 1048576)) GiB free, has $((free_kb / 1048576))"
log "generating the context in $CTX: $N_BIG files of 64 MiB, $N_SMALL files of 4-64 KiB (fixed seed)"
# AES-256-CTR over zeros with a fixed key: the same bytes on every run, ~1 GB/s
as_user node - "$CTX/data" "$N_BIG" "$N_SMALL" <<'EOF'
const fs = require('fs'), crypto = require('crypto');
const [dir, nBig, nSmall] = process.argv.slice(2).map((x, i) => (i ? Number(x) : x));
const key = crypto.createHash('sha256').update('husk benchmarks/build.sh').digest();
const c = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
const bytes = (n) => c.update(Buffer.alloc(n));
fs.mkdirSync(dir, { recursive: true });
const MiB = 1 << 20;
for (let i = 1; i <= nBig; i++) {
  const fd = fs.openSync(`${dir}/big${String(i).padStart(2, '0')}`, 'w');
  for (let m = 0; m < 64; m++) fs.writeSync(fd, bytes(MiB));
  fs.closeSync(fd);
}
for (let i = 0; i < nSmall; i++) {
  const size = 4096 + (bytes(4).readUInt32LE(0) % (60 * 1024 + 1));   // 4 KiB .. 64 KiB
  fs.writeFileSync(`${dir}/s${String(i).padStart(4, '0')}`, bytes(size));
}
const t = new Date('2024-01-01T00:00:00Z');
for (const f of fs.readdirSync(dir)) fs.utimesSync(`${dir}/${f}`, t, t);
EOF
cat >"$CTX/Dockerfile" <<EOF
FROM $BASE
COPY data /data
RUN ls /data | wc -l > /count
RUN echo built > /stamp
CMD ["cat","/stamp"]
EOF
chown "$BENCH_USER:" "$CTX/Dockerfile"
CTX_BYTES=$(du -sb "$CTX/data" | cut -f1)
CTX_FILES=$(find "$CTX/data" -type f | wc -l)
EDIT_FILE=$CTX/data/s0042; [ "$N_SMALL" -gt 42 ] || EDIT_FILE=$CTX/data/s0000
[ "$N_SMALL" -gt 0 ] || die "--small must be >= 1 (one small file is changed for the rebuilds)"
echo "context: $CTX_FILES files, $((CTX_BYTES / 1048576)) MiB ($((CTX_BYTES / 1000000)) MB); Dockerfile:"
sed 's/^/  /' "$CTX/Dockerfile"

BUILD_ARGS=(build -t "$TAG" "$CTX")

# prepare_store ENGINE STORE: a fresh store with only the base image
prepare_store() {
  eng "$1" "$2"
  if [ "$1" = husk ]; then
    as_user "${ENG[@]}" import "$FIXTURE" "$BASE" >/dev/null 2>"$RES/import.err" ||
      { husk_fail cold "import: $(last_err "$RES/import.err")"; HUSK_OK=0; return 1; }
  else
    as_user "${ENG[@]}" import -q "$FIXTURE" "$BASE" >/dev/null 2>"$RES/import.err" ||
      die "podman import failed: $(last_err "$RES/import.err")"
  fi
}

# timed LABEL ENGINE command...: wall time around runuser, GNU time's max RSS (the
# largest single process), the peak RSS summed over the tree; a line in $RES/times:
#   LABEL ENGINE seconds maxrss_kB tree_kB cached_steps steps
# Output (stdout and stderr) in $RES/LABEL.ENGINE.out. Returns the command's status.
timed() {
  local label=$1 e=$2 t0 t1 pid rc=0 f; shift 2
  f=$RES/$label.$e
  t0=$(date +%s.%N)
  as_user /usr/bin/time -f %M -o "$f.maxrss" "$@" >"$f.out" 2>&1 &
  pid=$!
  sample_tree "$pid" "$f.tree" &
  SAMPLER_PID=$!
  wait "$pid" || rc=$?
  t1=$(date +%s.%N)
  wait "$SAMPLER_PID"; SAMPLER_PID=""
  [ "$rc" = 0 ] || return "$rc"
  printf '%s %s %s %s %s %s %s\n' "$label" "$e" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" \
    "$(tail -n1 "$f.maxrss")" "$(cat "$f.tree")" \
    "$(grep -c 'Using cache' "$f.out" || true)" "$(grep -c '^STEP ' "$f.out" || true)" | tee -a "$RES/times"
}

# build LABEL ENGINE STORE: one timed build; podman failing aborts, husk failing is FAILED
build() {
  local label=$1 e=$2 phase=${1%%.*}
  eng "$e" "$3"
  if timed "$label" "$e" "${ENG[@]}" "${BUILD_ARGS[@]}"; then return 0; fi
  if [ "$e" = husk ]; then
    husk_fail "$phase" "build: $(last_err "$RES/$label.$e.out")"
    HUSK_OK=0
    return 1
  fi
  echo "bench: podman build failed ($label):" >&2
  tail -n 20 "$RES/$label.$e.out" >&2
  exit 1
}

# check_image ENGINE STORE: the built image prints "built" and counts the context's entries
check_image() {
  local e=$1 out count
  eng "$e" "$2"
  out=$(as_user "${ENG[@]}" run --rm --network none "$TAG" 2>"$RES/check.err" | tr -d '\r') || true
  count=$(as_user "${ENG[@]}" run --rm --network none "$TAG" cat /count 2>>"$RES/check.err" | tr -d '\r ') || true
  if [ "$out" = built ] && [ "$count" = "$CTX_FILES" ]; then
    echo "  $e: run $TAG -> \"$out\", /count $count: ok"
    return 0
  fi
  local msg="run $TAG printed \"$out\" and /count \"$count\" (expected \"built\", $CTX_FILES): $(last_err "$RES/check.err")"
  [ "$e" = husk ] && { husk_fail check "$msg"; return 0; }
  die "podman: $msg"
}

engines_order() { # ROUND: the engines still measured, the order rotating per round
  local all=() e i n
  for e in "${ENGINES[@]}"; do [ "$e" != husk ] || [ "$HUSK_OK" = 1 ] && all+=("$e"); done
  n=${#all[@]}
  for i in $(seq 0 $((n - 1))); do echo "${all[$(( (i + $1) % n ))]}"; done
}

# ---------------------------------------------------------------- 3. cold builds
# Each from a fresh store holding only the base image, after sync and
# drop_caches: nothing the engine before left dirty is written back on this
# engine's time, and both read the context from disk (see pull.sh on ext4's
# recently deleted inodes). Stores are deleted only at the end.
log "cold builds: $RUNS per engine, each in a fresh store, engines alternated (label engine seconds maxrss_kB tree_kB cached_steps steps)"
for i in $(seq "$RUNS"); do
  for e in $(engines_order "$i"); do
    prepare_store "$e" "$i" || continue
    sync
    echo 3 >/proc/sys/vm/drop_caches
    build "cold.$i" "$e" "$i" || continue
    [ "$i" = 1 ] && check_image "$e" "$i"
  done
done

# ---------------------------------------------------------------- 4. fully cached rebuild
# In the last cold build's store, nothing changed. One build first (it must hit
# the cache for every step after FROM), then hyperfine beside node -e 0.
log "fully cached rebuild: hyperfine, warmup 1, $CACHED_RUNS runs each (store of cold build $RUNS)"
# one hyperfine per engine (hyperfine times one command's series after the
# other's anyway), so that a failing husk leaves podman's figures
for e in $(engines_order 0); do
  build "cachedcheck" "$e" "$RUNS" || continue
  echo "  $e: $(grep -c 'Using cache' "$RES/cachedcheck.$e.out" || true) steps from the cache"
  eng "$e" "$RUNS"
  if ! as_user hyperfine -N --warmup 1 --runs "$CACHED_RUNS" --style basic \
      --export-json "$RES/cached-$e.json" -n "$e" "${ENG[*]} ${BUILD_ARGS[*]}" 2>"$RES/cached.err"; then
    [ "$e" = husk ] || { cat "$RES/cached.err" >&2; die "hyperfine failed on podman's cached rebuilds"; }
    husk_fail cached "under hyperfine: $(last_err "$RES/cached.err")"; HUSK_OK=0
    rm -f "$RES/cached-$e.json"
  fi
done
as_user hyperfine -N --warmup 3 --runs "$CACHED_RUNS" --style basic \
  --export-json "$RES/cached-node.json" -n "node -e 0" "node -e 0"

# ---------------------------------------------------------------- 5. one small file changed
# Before each build a line is appended to one small file of the context, so
# COPY and every step after it run again (the cache holds FROM).
log "rebuild after changing one small file ($(basename "$EDIT_FILE")): $RUNS per engine, alternated"
for i in $(seq "$RUNS"); do
  for e in $(engines_order "$i"); do
    echo "edit $e $i $(date +%s.%N)" >>"$EDIT_FILE"
    sync
    build "touch.$i" "$e" "$RUNS" || continue
  done
done

# ---------------------------------------------------------------- report
HUSK_VER="husk $( [ -x "$PKG/bin/husk" ] && as_user "$PKG/bin/husk" --version 2>/dev/null || echo '?')"
PODMAN_DRV='?'
has_engine podman && PODMAN_DRV=$(eng podman 1; as_user "${ENG[@]}" info --format '{{.Store.GraphDriverName}}' 2>/dev/null || echo '?')
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$HUSK_VER ($HUSK_REPO, $(git -C "$HUSK_REPO" rev-parse --short HEAD 2>/dev/null || echo '?')), $(podman --version | sed 's/ version//') ($PODMAN_DRV, $(runc --version | head -n1))"
echo "context: $CTX_FILES files, $((CTX_BYTES / 1000000)) MB; engines: ${ENGINES[*]}"
touch "$RES/times"
node - "$RES" "$RUNS" "$TARGET_COLD_RATIO" "$TARGET_CACHED_OVER_NODE_S" "$TARGET_RSS_KB" "${ENGINES[*]}" <<'EOF'
const fs = require('fs');
const [dir, runs, tCold, tCached, tRss, engines] = process.argv.slice(2);
const rows = fs.readFileSync(`${dir}/times`, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
const failed = Object.fromEntries(fs.readdirSync(`${dir}/failed`).map((f) => [f, fs.readFileSync(`${dir}/failed/${f}`, 'utf8')]));
const has = (e) => engines.split(' ').includes(e);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const phase = (p, e) => rows.filter((r) => r[0].split('.')[0] === p && r[1] === e);
const secs = (p, e) => phase(p, e).map((r) => +r[2]);
let cached = {};
for (const f of fs.readdirSync(dir).filter((f) => /^cached-.*\.json$/.test(f))) {
  for (const r of JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).results) cached[r.command] = r;
}
const fmtS = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const fmtMB = (kb) => (Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '—');
const ok = (c) => (c ? 'met' : '**missed**');
// a husk cell without a figure after any husk failure: FAILED (the first failure stops husk's builds)
const cell = (e, phaseName, v) => (!has(e) ? '—' : e === 'husk' && v === '—' && Object.keys(failed).length ? 'FAILED' : v);
const ratio = (h, p) => (Number.isFinite(h) && Number.isFinite(p) ? (h / p).toFixed(2) : '—');

const cold = { husk: median(secs('cold', 'husk')), podman: median(secs('cold', 'podman')) };
const cach = { husk: cached.husk?.median, podman: cached.podman?.median };
const node = cached['node -e 0']?.median;
const touch = { husk: median(secs('touch', 'husk')), podman: median(secs('touch', 'podman')) };
const maxrss = (e) => { const v = phase('cold', e).map((r) => +r[3]); return v.length ? Math.max(...v) : NaN; };
const tree = (e) => { const v = phase('cold', e).map((r) => +r[4]); return v.length ? Math.max(...v) : NaN; };
const rss = { husk: maxrss('husk'), podman: maxrss('podman') };
const trs = { husk: tree('husk'), podman: tree('podman') };
const nCached = cached.husk?.times.length ?? cached.podman?.times.length ?? 0;

const lines = [
  '| step | husk | podman | husk/podman | target (issue) |',
  '| --- | --- | --- | --- | --- |',
  `| cold build, fresh store, median of ${runs} [s] | ${cell('husk', 'cold', fmtS(cold.husk))} | ${cell('podman', '', fmtS(cold.podman))} | ${ratio(cold.husk, cold.podman)} | ≤ ${tCold} × podman: ${Number.isFinite(cold.husk) && Number.isFinite(cold.podman) ? ok(cold.husk / cold.podman <= +tCold) : '—'} |`,
  `| fully cached rebuild, median of ${nCached} [s] | ${cell('husk', 'cached', fmtS(cach.husk))} | ${cell('podman', '', fmtS(cach.podman))} | ${ratio(cach.husk, cach.podman)} | < ${tCached} s + node -e 0 (${fmtS(+tCached + node)} s): ${Number.isFinite(cach.husk) && Number.isFinite(node) ? ok(cach.husk < +tCached + node) : '—'} |`,
  `| node -e 0 (start-up floor) [s] | ${fmtS(node)} | | | |`,
  `| rebuild after one small file changed, median of ${runs} [s] | ${cell('husk', 'touch', fmtS(touch.husk))} | ${cell('podman', '', fmtS(touch.podman))} | ${ratio(touch.husk, touch.podman)} | — |`,
  `| peak RSS in the cold build, largest process [MB] | ${cell('husk', 'cold', fmtMB(rss.husk))} | ${cell('podman', '', fmtMB(rss.podman))} | ${ratio(rss.husk, rss.podman)} | husk ≤ ${fmtMB(+tRss)} MB: ${Number.isFinite(rss.husk) ? ok(rss.husk <= +tRss) : '—'} |`,
  `| peak RSS in the cold build, tree sum (100 ms samples) [MB] | ${cell('husk', 'cold', fmtMB(trs.husk))} | ${cell('podman', '', fmtMB(trs.podman))} | ${ratio(trs.husk, trs.podman)} | — |`,
];
console.log(lines.join('\n'));
console.log('');
for (const e of ['husk', 'podman']) {
  if (!has(e)) continue;
  const c = phase('cold', e), t = phase('touch', e);
  console.log(`${e}: cold [s] ${c.map((r) => r[2]).join(' ') || '—'}; cached [s] ${cached[e] ? `${cached[e].mean.toFixed(3)} ± ${cached[e].stddev.toFixed(3)} (min ${cached[e].min.toFixed(3)})` : '—'}; one file changed [s] ${t.map((r) => r[2]).join(' ') || '—'} (steps from the cache: ${t.map((r) => r[5]).join(' ') || '—'})`);
}
for (const [p, why] of Object.entries(failed)) console.log(`husk: FAILED in ${p} (${why})`);
const summary = { date: new Date().toISOString(), runs: +runs, cold, cached: cach, node, touch, maxrss_kb: rss, tree_kb: trs, failed, rows };
fs.writeFileSync(`${dir}/summary.json`, JSON.stringify(summary, null, 1) + '\n');
EOF

if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  cp "$RES"/summary.json "$RES"/times "$OUT/"
  cp "$RES"/cached-*.json "$RES"/*.out "$OUT/" 2>/dev/null || true
  echo "results written to $OUT"
fi
