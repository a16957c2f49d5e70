#!/usr/bin/env bash
# Pull of a ~1 GB multi-layer image from a local registry: husk vs podman vs
# skopeo (the network + verification floor), rootless. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/pull.sh [--runs N] [--engines husk,podman,skopeo]
#
# A Debian docker-registry is started on 127.0.0.1 (plain HTTP); the test image
# (6 layers, ~1 GB unpacked) is generated once and cached as a gzip OCI layout
# in /var/tmp/husk-bench-big. The engines run as the unprivileged user husktest,
# each run from an empty store. Everything temporary is removed on exit.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
ENGINES=(husk podman skopeo)
BENCH_USER=husktest
CACHE=/var/tmp/husk-bench-big
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TARGET_SKOPEO_RATIO=2  # husk / skopeo
TARGET_PODMAN_RATIO=3  # podman / husk
TARGET_RSS_KB=$((150 * 1024))

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --engines) read -r -a ENGINES <<<"${2//,/ }"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[ "$RUNS" -ge 1 ] 2>/dev/null || { echo "--runs must be a number >= 1" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "run as root (the engines themselves run rootless as $BENCH_USER)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---------------------------------------------------------------- 1. tools
install_missing docker-registry skopeo podman runc curl /usr/bin/time=time
ensure_setup "$REPO" "$BENCH_USER"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
check_husk_built --userns "$REPO"

# ---------------------------------------------------------------- temp dirs + cleanup
WORK=$(mktemp -d /tmp/hp.XXXXXX)
chmod 755 "$WORK"
PKG=$WORK/pkg       # snapshot of husk, readable by husktest
BHOME=$WORK/home    # husktest's HOME; the stores live under $BHOME/s
XDG=$WORK/x         # XDG_RUNTIME_DIR (podman's pause process, runroots)
RES=$WORK/results
REG=$WORK/reg
REG_PID=""; SAMPLER_PID=""

PODMAN_FLAGS=(--runtime runc --cgroup-manager cgroupfs --events-backend file
              --storage-driver "${PODMAN_STORAGE_DRIVER:-overlay}")

# stop_pulls: at exit (cleanup_on_exit), before $WORK goes
stop_pulls() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  # engines still running (interrupted)
  kill_user_procs "$BENCH_USER" "$WORK"
  if [ -n "$REG_PID" ] && [ -d "/proc/$REG_PID" ]; then
    kill "$REG_PID" 2>/dev/null
    for _ in $(seq 50); do [ -d "/proc/$REG_PID" ] || break; sleep 0.1; done
    kill -9 "$REG_PID" 2>/dev/null
  fi
  rm -rf "$CACHE.tmp" "$CACHE.raw"
}
cleanup_on_exit stop_pulls "$WORK" "$XDG" "$BENCH_USER"

snapshot_husk "$REPO" "$PKG" "$BENCH_USER"
mkdir -p "$BHOME/s" "$XDG" "$RES" "$REG"
chown "$BENCH_USER:" "$BHOME" "$BHOME/s" "$XDG" "$RES"; chmod 700 "$XDG"
install -m 644 "$PODMAN_CONF_SRC" "$WORK/containers.conf"

# ---------------------------------------------------------------- 2. test image (cached)
# 6 layers: 20,000 small files (4 KiB of random data each, 80 MiB), then 5
# layers of 3 × 60 MiB random files (900 MiB). Random data hardly compresses,
# so the transfer is about the unpacked size.
build_image() {
  local raw=$CACHE.raw src=$CACHE.raw/src l d f dig size diffs=() layers=()
  rm -rf "$raw" "$CACHE.tmp"
  mkdir -p "$raw/blobs/sha256"
  for l in 1 2 3 4 5 6; do
    rm -rf "$src"; mkdir -p "$src"
    if [ "$l" = 1 ]; then
      for d in $(seq -w 0 19); do
        mkdir -p "$src/usr/share/small/$d"
        head -c $((1000 * 4096)) /dev/urandom | split -b 4096 -a 3 -d - "$src/usr/share/small/$d/f"
      done
    else
      mkdir -p "$src/opt/big$l"
      for f in 1 2 3; do head -c 60M /dev/urandom >"$src/opt/big$l/blob$f"; done
    fi
    tar -C "$src" --numeric-owner --owner=0 --group=0 --mtime=@1700000000 --sort=name -cf "$raw/layer.tar" .
    dig=$(sha256sum "$raw/layer.tar" | cut -d' ' -f1); size=$(stat -c %s "$raw/layer.tar")
    mv "$raw/layer.tar" "$raw/blobs/sha256/$dig"
    diffs+=("\"sha256:$dig\"")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$dig\",\"size\":$size}")
  done
  rm -rf "$src"
  local IFS=,
  local arch; arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  printf '{"created":"2024-01-01T00:00:00Z","architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"husk benchmarks/pull.sh"}]}' \
    "$arch" "${diffs[*]}" >"$raw/config.json"
  dig=$(sha256sum "$raw/config.json" | cut -d' ' -f1); size=$(stat -c %s "$raw/config.json")
  mv "$raw/config.json" "$raw/blobs/sha256/$dig"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$dig" "$size" "${layers[*]}" >"$raw/manifest.json"
  dig=$(sha256sum "$raw/manifest.json" | cut -d' ' -f1); size=$(stat -c %s "$raw/manifest.json")
  mv "$raw/manifest.json" "$raw/blobs/sha256/$dig"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
    "$dig" "$size" >"$raw/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$raw/oci-layout"
  # gzip once here, so that each push only uploads
  skopeo copy --quiet --insecure-policy --dest-compress "oci:$raw:1" "oci:$CACHE.tmp:1"
  rm -rf "$raw"
  mv "$CACHE.tmp" "$CACHE"
}
if [ ! -f "$CACHE/index.json" ]; then
  log "generating the test image into $CACHE (once)"
  rm -rf "$CACHE"
  build_image
fi

# ---------------------------------------------------------------- 3. registry
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat >"$REG/config.yml" <<EOF
version: 0.1
log: { level: warn, accesslog: { disabled: true } }
storage: { filesystem: { rootdirectory: $REG/data }, delete: { enabled: true } }
http: { addr: "127.0.0.1:$PORT" }
EOF
log "docker-registry on 127.0.0.1:$PORT"
docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
REG_PID=$!
for i in $(seq 150); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/")" = 200 ] && break
  [ -d "/proc/$REG_PID" ] || { cat "$REG/log" >&2; die "docker-registry exited"; }
  [ "$i" = 150 ] && die "docker-registry does not answer"
  sleep 0.1
done
IMAGE=127.0.0.1:$PORT/big:1
skopeo copy --quiet --insecure-policy --dest-tls-verify=false "oci:$CACHE:1" "docker://$IMAGE"
read -r NLAYERS GZ_BYTES < <(skopeo inspect --raw --tls-verify=false "docker://$IMAGE" |
  node -e 'const m=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(m.layers.length, m.layers.reduce((a,l)=>a+l.size,0))')
RAW_BYTES=$(find "$CACHE/blobs" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "pushed $IMAGE: $NLAYERS layers, $((GZ_BYTES / 1048576)) MiB gzip"

# ---------------------------------------------------------------- 4. timed pulls
timed() { # engine run-index command...
  local name=$1 i=$2 t0 t1 pid rc=0; shift 2
  # Each engine starts with nothing of the previous run waiting to be written
  # back (else it pays for the gigabytes the engine before it left dirty),
  # and with cold caches: ext4 makes every new inode skip the inodes deleted
  # in the last minutes whose inode-table blocks are still cached
  # (recently_deleted), so files made after an earlier clean-up (ours, or
  # the last benchmark's) cost many times more. The registry then reads its
  # blobs from disk, the same for every engine.
  sync
  echo 3 >/proc/sys/vm/drop_caches
  t0=$(date +%s.%N)
  as_user /usr/bin/time -f %M -o "$RES/$name.$i.maxrss" "$@" >"$RES/$name.$i.out" 2>"$RES/$name.$i.err" &
  pid=$!
  sample_tree "$pid" "$RES/$name.$i.tree" &
  SAMPLER_PID=$!
  wait "$pid" || rc=$?
  t1=$(date +%s.%N)
  wait "$SAMPLER_PID"; SAMPLER_PID=""
  if [ "$rc" != 0 ]; then
    echo "bench: $name failed (exit $rc): $*" >&2
    tail -n 20 "$RES/$name.$i.err" >&2
    exit 1
  fi
  printf '%s %s %s %s %s\n' "$name" "$i" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" \
    "$(tail -n1 "$RES/$name.$i.maxrss")" "$(cat "$RES/$name.$i.tree")" | tee -a "$RES/times"
}

run_husk() {
  local i=$1 r=$BHOME/s/h$i rr=$XDG/h$i
  timed husk "$i" "$PKG/bin/husk" --root "$r" --runroot "$rr" pull --tls-verify=false "$IMAGE"
  if [ "$i" = 1 ]; then
    as_user "$PKG/bin/husk" --root "$r" --runroot "$rr" images | sed 's/^/  husk images: /'
  fi
}
run_podman() {
  local i=$1 r=$BHOME/s/p$i rr=$XDG/p$i
  timed podman "$i" podman --root "$r" --runroot "$rr" "${PODMAN_FLAGS[@]}" pull --tls-verify=false "$IMAGE"
  if [ "$i" = 1 ]; then
    as_user podman --root "$r" --runroot "$rr" "${PODMAN_FLAGS[@]}" images | sed 's/^/  podman images: /'
    PODMAN_DRV=$(as_user podman --root "$r" --runroot "$rr" "${PODMAN_FLAGS[@]}" info --format '{{.Store.GraphDriverName}}' 2>/dev/null)
  fi
}
run_skopeo() {
  local i=$1 d=$BHOME/s/k$i
  timed skopeo "$i" skopeo copy --quiet --src-tls-verify=false "docker://$IMAGE" "dir:$d"
}

# Stores stay until the end, so that no engine runs right after a clean-up
# (see timed).
need_kb=$(( RUNS * ${#ENGINES[@]} * 2200 * 1024 ))
free_kb=$(df -Pk "$WORK" | awk 'NR == 2 {print $4}')
[ "$free_kb" -gt "$need_kb" ] || die "$WORK needs about $((need_kb / 1048576)) GiB free for $RUNS runs, has $((free_kb / 1048576))"
log "pulls, rootless as $BENCH_USER, $RUNS runs each, engines alternated (engine run seconds maxrss_kB tree_rss_kB)"
for i in $(seq "$RUNS"); do
  for k in $(seq 0 $((${#ENGINES[@]} - 1))); do
    e=${ENGINES[$(( (i - 1 + k) % ${#ENGINES[@]} ))]}
    "run_$e" "$i"
  done
done

# ---------------------------------------------------------------- report
HUSK_VER="husk $(as_user "$PKG/bin/husk" --version 2>/dev/null || echo ?)"
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$HUSK_VER, $(podman --version | sed 's/ version//') (${PODMAN_DRV:-?}, $(runc --version | head -n1)), $(skopeo --version | sed 's/ version//')"
echo "image: $NLAYERS layers, $((RAW_BYTES / 1048576)) MiB gzip blobs in the layout, $((GZ_BYTES / 1048576)) MiB layers on the wire"
node - "$RES/times" "$TARGET_SKOPEO_RATIO" "$TARGET_PODMAN_RATIO" "$TARGET_RSS_KB" <<'EOF'
const [file, tSk, tPo, tRss] = process.argv.slice(2).map((x, i) => (i ? Number(x) : x));
const rows = require('fs').readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));
const by = {};
for (const [e, , s, m, t] of rows) (by[e] ??= []).push({ s: +s, m: +m, t: +t });
const pad = (s, n) => String(s).padEnd(n);
const st = (e) => {
  const r = by[e]; const s = r.map((x) => x.s);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, min: Math.min(...s), all: s,
           maxrss: Math.max(...r.map((x) => x.m)), tree: Math.max(...r.map((x) => x.t)) };
};
const S = Object.fromEntries(Object.keys(by).map((e) => [e, st(e)]));
const mb = (kb) => (kb / 1024).toFixed(0);
console.log(pad('engine', 8) + pad('mean [s]', 10) + pad('min [s]', 9) + pad('runs [s]', 22) + pad('max RSS, largest process', 26) + 'peak RSS, tree sum');
for (const [e, s] of Object.entries(S)) {
  console.log(pad(e, 8) + pad(s.mean.toFixed(2), 10) + pad(s.min.toFixed(2), 9) + pad(s.all.map((x) => x.toFixed(2)).join(' '), 22) +
    pad(`${mb(s.maxrss)} MB`, 26) + `${mb(s.tree)} MB`);
}
const ok = (c) => (c ? 'met' : 'MISSED');
if (!S.husk || !S.podman || !S.skopeo) process.exit(0); // the ratios need all three
const hs = S.husk.mean / S.skopeo.mean, ph = S.podman.mean / S.husk.mean;
const rss = Math.max(S.husk.maxrss, S.husk.tree);
console.log(`husk/skopeo (means): ${hs.toFixed(2)}  target <= ${tSk}: ${ok(hs <= tSk)}   (mins: ${(S.husk.min / S.skopeo.min).toFixed(2)})`);
console.log(`podman/husk (means): ${ph.toFixed(2)}  target >= ${tPo}: ${ok(ph >= tPo)}   (mins: ${(S.podman.min / S.husk.min).toFixed(2)})`);
console.log(`husk peak RSS: ${mb(S.husk.maxrss)} MB largest process, ${mb(S.husk.tree)} MB tree sum (100 ms samples)  target <= ${mb(tRss)} MB: ${ok(rss <= tRss)}`);
EOF
