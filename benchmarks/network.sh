#!/usr/bin/env bash
# Networking, husk vs podman vs the host's loopback, rootless. See benchmarks/README.md.
#
# Run as root:   bash benchmarks/network.sh [--rounds N] [--mib N] [--requests N]
#                    [--concurrency N] [--runs N] [--out DIR]
#
# The engines run as the unprivileged user husktest, each with its own
# temporary storage; all traffic stays on 127.0.0.1 (ports published on
# 127.0.0.1 only). A husk failure is reported as "husk: FAILED (reason)" for
# that row and the run goes on. Everything temporary is removed on exit.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-7}         # throughput and connection-rate rounds (median reported)
MIB=${MIB:-512}             # MiB per throughput transfer
REQUESTS=${REQUESTS:-2000}  # ab -n
CONC=${CONC:-8}             # ab -c
RUNS=${RUNS:-15}            # hyperfine runs per round for run --rm
RUN_ROUNDS=${RUN_ROUNDS:-3}
WARMUP=${WARMUP:-2}
OUT=${BENCH_OUT:-}
BENCH_USER=husktest
FIXTURE=/tmp/husk-test-fixtures/busybox.tar
PODMAN_CONF_SRC=${PODMAN_CONF:-/work/shared/bench/podman-containers.conf}
TPUT_TIMEOUT=${TPUT_TIMEOUT:-120}  # seconds one transfer may take
AB_TIMEOUT=${AB_TIMEOUT:-300}      # seconds one ab run may take
BODY="husk network benchmark: a small file served by busybox httpd"
# the throughput server: dd reads the socket and, after the client's FIN, says
# "F+P records in" (F full MiB blocks, P partial): all bytes arrived iff F = MIB, P = 0
DD_CMD='dd of=/dev/null bs=1M iflag=fullblock 2>&1'
TPUT_SERVER=(nc -ll -p 5001 -e sh -c "$DD_CMD")
HTTP_SERVER=(sh -c "mkdir -p /www && echo '$BODY' > /www/index.html && exec httpd -f -p 8080 -h /www")

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --mib) MIB=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --concurrency) CONC=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
for v in ROUNDS MIB REQUESTS CONC RUNS; do
  [ "${!v}" -ge 1 ] 2>/dev/null || { echo "$v must be a number >= 1" >&2; exit 2; }
done

[ "$(id -u)" = 0 ] || die "run as root (the engines themselves run rootless as $BENCH_USER)"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETCLIENT=$REPO/benchmarks/netclient.cjs

# ---------------------------------------------------------------- 1. tools
install_missing --no-install-recommends podman runc hyperfine slirp4netns \
  ab=apache2-utils ss=iproute2 /bin/busybox=busybox-static
ensure_setup "$REPO" "$BENCH_USER" "$FIXTURE"
[ -f "$PODMAN_CONF_SRC" ] || die "podman settings $PODMAN_CONF_SRC are missing"
check_husk_built "$REPO"

# ---------------------------------------------------------------- temp dirs + cleanup
WORK=$(mktemp -d /tmp/hn.XXXXXX)   # short: husk's attach socket path must fit in 108 bytes
chmod 755 "$WORK"
PKG=$WORK/pkg; BHOME=$WORK/home; XDG=$WORK/x; RES=$WORK/results; BB=$WORK/bb
HROOT=$BHOME/husk; HRUNROOT=$XDG/h
PROOT=$BHOME/podman; PRUNROOT=$XDG/p
HOST_PGIDS=()   # process groups of the loopback servers and the netns holder, started with setsid
LOOP_NS=""      # pid of the holder of the loopback baseline's network namespace

HUSK=("$PKG/bin/husk" --root "$HROOT" --runroot "$HRUNROOT")
PODMAN=(podman --root "$PROOT" --runroot "$PRUNROOT" --runtime runc
        --cgroup-manager cgroupfs --events-backend file
        --storage-driver "${PODMAN_STORAGE_DRIVER:-overlay}")

# stop_engines: at exit (cleanup_on_exit), before $WORK goes
stop_engines() {
  local pg
  for pg in "${HOST_PGIDS[@]}"; do kill -- "-$pg" 2>/dev/null; done
  timeout 60 runuser -u "$BENCH_USER" -- env -i HOME="$BHOME" PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$XDG" \
    "${HUSK[@]}" rm -af >/dev/null 2>&1
  timeout 60 runuser -u "$BENCH_USER" -- env -i HOME="$BHOME" PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$XDG" \
    CONTAINERS_CONF="$WORK/containers.conf" "${PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
  # what the engines failed to stop (monitors, conmon, slirp4netns, rootlessport,
  # husk-net / pasta)
  kill_user_procs "$BENCH_USER" "$WORK"
}
cleanup_on_exit stop_engines "$WORK" "$XDG" "$BENCH_USER"

snapshot_husk "$REPO" "$PKG" "$BENCH_USER"
mkdir -p "$BHOME" "$XDG" "$RES/failed" "$BB"
chown "$BENCH_USER:" "$BHOME" "$XDG" "$RES"; chmod 700 "$XDG"
install -m 644 "$PODMAN_CONF_SRC" "$WORK/containers.conf"
# the host's servers are the image's binary (the fixture is Debian's busybox-static)
for a in sh dd nc httpd mkdir; do ln -s /bin/busybox "$BB/$a"; done

# husk_fail SECTION REASON...: the husk cell of that row is FAILED, the run goes on
husk_fail() {
  local section=$1; shift
  local reason
  reason=$(printf '%s' "$*" | tr '\n' ' ' | sed 's/  */ /g; s/ $//' | cut -c1-200)
  [ -s "$RES/failed/$section" ] || printf '%s' "$reason" >"$RES/failed/$section"
  echo "husk: FAILED ($reason) [$section]" >&2
}
husk_ok() { [ ! -s "$RES/failed/$1" ]; }
first_err() { grep -v 'is not a shared mount' "$1" 2>/dev/null | grep . | head -n3 | tr '\n' ' ' | cut -c1-200; }

# The loopback baseline runs in a network namespace of its own (only lo, up):
# the kernel's loopback path as on the host, but busybox nc, which cannot bind
# to 127.0.0.1 only, listens on no address of the host. Both the servers and
# their clients enter it; the engines' clients stay on the host.
in_target() { # TARGET CMD...
  local t=$1; shift
  if [ "$t" = loopback ]; then nsenter -t "$LOOP_NS" -n -- "$@"; else "$@"; fi
}
# loop_server CMD...: a loopback server as husktest in that namespace, in a process group of its own
loop_server() {
  setsid nsenter -t "$LOOP_NS" -n -- runuser -u "$BENCH_USER" -- env -i HOME="$BHOME" PATH="$BB" \
    /usr/bin/timeout --foreground 1800 "$@" </dev/null >/dev/null 2>&1 &
  HOST_PGIDS+=("$!")
}
# wait_ready TARGET KIND PORT: a complete 1 MiB transfer (tput) or the right answer (http), 10 s at most
wait_ready() {
  local i
  for i in $(seq 50); do
    if [ "$2" = tput ]; then
      in_target "$1" node "$NETCLIENT" tput "$3" 1 5 >/dev/null 2>"$RES/ready.err" && return 0
    else
      in_target "$1" node "$NETCLIENT" http "$3" "$BODY" 5 2>"$RES/ready.err" && return 0
    fi
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------- 2. images, ports, servers
log "importing $FIXTURE into both engines (rootless, user $BENCH_USER)"
as_user "${HUSK[@]}" import "$FIXTURE" busybox >/dev/null
as_user "${PODMAN[@]}" import -q "$FIXTURE" localhost/busybox >/dev/null 2> >(grep -v 'is not a shared mount' >&2)

read -r TP_HUSK TP_PODMAN TP_LOOP HT_HUSK HT_PODMAN HT_LOOP < <(node "$NETCLIENT" ports 6)
declare -A TPORT=([husk]=$TP_HUSK [podman]=$TP_PODMAN [loopback]=$TP_LOOP)
declare -A HPORT=([husk]=$HT_HUSK [podman]=$HT_PODMAN [loopback]=$HT_LOOP)
echo "ports: throughput husk $TP_HUSK podman $TP_PODMAN loopback $TP_LOOP; http husk $HT_HUSK podman $HT_PODMAN loopback $HT_LOOP"

log "starting the servers: busybox nc (throughput) and busybox httpd (connections)"
# setsid and unshare exec: $! is the holder itself, in the new namespace once unshare has run
setsid unshare -n -- timeout --foreground 1800 sleep 1800 </dev/null >/dev/null 2>&1 &
HOST_PGIDS+=("$!"); LOOP_NS=$!
for i in $(seq 50); do
  [ "$(readlink "/proc/$LOOP_NS/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
  sleep 0.1
done
[ "$(readlink "/proc/$LOOP_NS/ns/net")" != "$(readlink /proc/self/ns/net)" ] || die "could not make the loopback baseline's network namespace"
nsenter -t "$LOOP_NS" -n -- ip link set lo up
loop_server nc -ll -p "$TP_LOOP" -e sh -c "$DD_CMD"
loop_server sh -c "mkdir -p $WORK/home/www && echo '$BODY' > $WORK/home/www/index.html && exec httpd -f -p 127.0.0.1:$HT_LOOP -h $WORK/home/www"

PODMAN_TPUT=$(as_user "${PODMAN[@]}" run -d -p "127.0.0.1:$TP_PODMAN:5001" busybox "${TPUT_SERVER[@]}" | tail -n1)
PODMAN_HTTP=$(as_user "${PODMAN[@]}" run -d -p "127.0.0.1:$HT_PODMAN:8080" busybox "${HTTP_SERVER[@]}" | tail -n1)
[ -n "$PODMAN_TPUT" ] && [ -n "$PODMAN_HTTP" ] || die "podman could not start its servers"

# husk: its own code path; any failure marks the husk cells and the run goes on
HUSK_TPUT=""; HUSK_HTTP=""
if HUSK_TPUT=$(as_user "${HUSK[@]}" run -d -p "127.0.0.1:$TP_HUSK:5001" busybox "${TPUT_SERVER[@]}" 2>"$RES/husk-tput.err"); then
  HUSK_TPUT=$(echo "$HUSK_TPUT" | tail -n1)
else
  husk_fail throughput "run -d -p: $(first_err "$RES/husk-tput.err")"
  husk_fail memory "no container with a published port"
  HUSK_TPUT=""
fi
if HUSK_HTTP=$(as_user "${HUSK[@]}" run -d -p "127.0.0.1:$HT_HUSK:8080" busybox "${HTTP_SERVER[@]}" 2>"$RES/husk-http.err"); then
  HUSK_HTTP=$(echo "$HUSK_HTTP" | tail -n1)
else
  husk_fail conn_rate "run -d -p: $(first_err "$RES/husk-http.err")"
  HUSK_HTTP=""
fi

wait_ready loopback tput "$TP_LOOP" || die "the loopback nc server does not answer: $(first_err "$RES/ready.err")"
wait_ready loopback http "$HT_LOOP" || die "the loopback httpd does not answer: $(first_err "$RES/ready.err")"
wait_ready podman tput "$TP_PODMAN" || die "podman's nc server does not answer: $(first_err "$RES/ready.err")"
wait_ready podman http "$HT_PODMAN" || die "podman's httpd does not answer: $(first_err "$RES/ready.err")"
if husk_ok throughput && ! wait_ready husk tput "$TP_HUSK"; then
  husk_fail throughput "no complete transfer through 127.0.0.1:$TP_HUSK within 10 s: $(first_err "$RES/ready.err")"
fi
if husk_ok conn_rate && ! wait_ready husk http "$HT_HUSK"; then
  husk_fail conn_rate "no HTTP answer through 127.0.0.1:$HT_HUSK within 10 s: $(first_err "$RES/ready.err")"
fi

targets() { # SECTION ROUND: the targets still in the race, in an order that rotates per round
  local all=(loopback podman) i n
  husk_ok "$1" && all+=(husk)
  n=${#all[@]}
  for i in $(seq 0 $((n - 1))); do echo "${all[$(( (i + $2) % n ))]}"; done
}

# ---------------------------------------------------------------- 3. throughput
log "throughput: $ROUNDS rounds of $MIB MiB per target, client node on the host"
for t in $(targets throughput 0); do   # warm-up: one transfer each, not counted
  if ! in_target "$t" node "$NETCLIENT" tput "${TPORT[$t]}" "$MIB" "$TPUT_TIMEOUT" >/dev/null 2>"$RES/tput.err"; then
    if [ "$t" = husk ]; then husk_fail throughput "warm-up transfer: $(first_err "$RES/tput.err")"
    else die "$t warm-up transfer failed: $(first_err "$RES/tput.err")"; fi
  fi
done
for r in $(seq "$ROUNDS"); do
  for t in $(targets throughput "$r"); do
    if out=$(in_target "$t" timeout $((TPUT_TIMEOUT + 10)) node "$NETCLIENT" tput "${TPORT[$t]}" "$MIB" "$TPUT_TIMEOUT" 2>"$RES/tput.err"); then
      echo "{\"round\":$r,\"target\":\"$t\",${out#\{}" >>"$RES/tput.jsonl"
      printf '  round %d %-8s %8.0f MB/s\n' "$r" "$t" "$(echo "$out" | sed 's/.*"mbps":\([0-9.]*\).*/\1/')"
    else
      err=$(first_err "$RES/tput.err")
      echo "  round $r $t: failed: $err" >&2
      printf '{"round":%d,"target":"%s","error":%s}\n' "$r" "$t" "$(printf '%s' "$err" | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0,"utf8")))')" >>"$RES/tput.jsonl"
      if [ "$t" = husk ]; then husk_fail throughput "round $r: $err"; else die "$t throughput transfer failed: $err"; fi
    fi
  done
done

# ---------------------------------------------------------------- 4. memory of a published port
# after the transfers, while the throughput containers are idle
log "memory of a published port (the throughput containers)"
descendants() { # PID... -> the pids and all their descendants
  ps -eo pid=,ppid= | awk -v roots="$*" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2; pids[++m] = $1 }
    END { do { changed = 0; for (i = 1; i <= m; i++) { p = pids[i]
            if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } } while (changed)
          for (p in keep) print p }'
}
listeners() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true; }
# procs_naming COMM-REGEX STRING: husktest's processes of that name whose argv contains STRING
procs_naming() {
  local pid comm
  ps -u "$BENCH_USER" -o pid=,comm= | while read -r pid comm; do
    [[ $comm =~ $1 ]] && grep -qF "$2" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
  done || true
}
rss_json() { # PID... -> {"kb":N,"procs":[...]} of the live ones
  local pid kb comm sum=0 list=""
  for pid in $(printf '%s\n' "$@" | sort -nu); do
    kb=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    [ -n "$kb" ] || continue
    comm=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1); comm=${comm##*/}  # argv[0]: rootlessport-child's comm is "exe"
    sum=$((sum + kb))
    list="$list${list:+,}{\"pid\":$pid,\"comm\":\"$comm\",\"rss_kb\":$kb}"
  done
  echo "{\"kb\":$sum,\"procs\":[$list]}"
}
# podman: the rootlessport process listening on the host port and its children
# (rootlessport-child, in the container's network namespace), plus the
# container's slirp4netns (its argv names the container's netns path)
PODMAN_NETNS=$(as_user "${PODMAN[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' "$PODMAN_TPUT" 2>/dev/null || true)
p_pids=$(descendants $(listeners "$TP_PODMAN"))
if [ -n "$PODMAN_NETNS" ]; then
  p_pids="$p_pids $(procs_naming '^(slirp4netns|pasta)$' "$PODMAN_NETNS")"
fi
PODMAN_MEM=$(rss_json $p_pids)
# husk: the helper of network.json (husk-net) and its children, what listens on
# the host port, and any husk-net / pasta whose argv names the container
HUSK_MEM='{"kb":0,"procs":[]}'
if husk_ok memory && [ -n "$HUSK_TPUT" ]; then
  h_roots=$(listeners "$TP_HUSK")
  nj=$(find "$HRUNROOT" -name network.json -path "*$HUSK_TPUT*" 2>/dev/null | head -n1)
  [ -n "$nj" ] && h_roots="$h_roots $(grep -o '"helperPid": *[0-9]*' "$nj" | grep -o '[0-9]*$' || true)"
  h_roots="$h_roots $(procs_naming '^(husk-net|pasta|passt)' "$HUSK_TPUT")"
  # never the container's own processes or the monitor: only networking helpers
  h_pids=$(for pid in $(descendants $h_roots); do
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in husk-monitor|nc|sh|dd|"") ;; *) echo "$pid" ;; esac
  done)
  if [ -n "$(echo $h_pids)" ]; then HUSK_MEM=$(rss_json $h_pids)
  else husk_fail memory "no husk-net / pasta process found for container ${HUSK_TPUT:0:12}"; fi
fi
printf '{"husk":%s,"podman":%s}\n' "$HUSK_MEM" "$PODMAN_MEM" >"$RES/mem.json"
ps -o pid,ppid,rss,args -p "$(echo $p_pids ${h_pids:-} | tr ' ' ',')" 2>/dev/null | cut -c1-150 || true

# ---------------------------------------------------------------- 5. connection rate
log "connection rate: $ROUNDS rounds of ab -n $REQUESTS -c $CONC per target"
ab_run() { # TARGET PORT N -> "rps complete failed non2xx" or fail
  local o t=$1; shift
  o=$(in_target "$t" timeout "$AB_TIMEOUT" ab -q -n "$2" -c "$CONC" -s 20 "http://127.0.0.1:$1/index.html" 2>&1) || { echo "$o" | tail -n2 >&2; return 1; }
  echo "$o" | awk '/^Requests per second:/ {rps = $4} /^Complete requests:/ {c = $3}
    /^Failed requests:/ {f = $3} /^Non-2xx responses:/ {n = $3}
    END { print rps, c, f, (n == "" ? 0 : n) }'
}
for t in $(targets conn_rate 0); do   # warm-up
  if ! ab_run "$t" "${HPORT[$t]}" 200 >/dev/null 2>"$RES/ab.err"; then
    if [ "$t" = husk ]; then husk_fail conn_rate "warm-up: $(first_err "$RES/ab.err")"
    else die "$t warm-up ab failed: $(first_err "$RES/ab.err")"; fi
  fi
done
for r in $(seq "$ROUNDS"); do
  for t in $(targets conn_rate "$r"); do
    if out=$(ab_run "$t" "${HPORT[$t]}" "$REQUESTS" 2>"$RES/ab.err") && read -r rps c f n <<<"$out" &&
       [ "$c" = "$REQUESTS" ] && [ "$f" = 0 ] && [ "$n" = 0 ]; then
      echo "{\"round\":$r,\"target\":\"$t\",\"rps\":$rps,\"complete\":$c}" >>"$RES/conn.jsonl"
      printf '  round %d %-8s %8.0f req/s\n' "$r" "$t" "$rps"
    else
      err="ab: ${out:-} $(first_err "$RES/ab.err")"
      echo "  round $r $t: failed: $err" >&2
      if [ "$t" = husk ]; then husk_fail conn_rate "round $r: $err"; else die "$t connection-rate run failed: $err"; fi
    fi
  done
done

# the servers are no longer needed: nothing else runs during the run --rm timing
for pg in "${HOST_PGIDS[@]}"; do kill -- "-$pg" 2>/dev/null || true; done
HOST_PGIDS=()
as_user "${PODMAN[@]}" rm -f -t 0 "$PODMAN_TPUT" "$PODMAN_HTTP" >/dev/null
[ -n "$HUSK_TPUT$HUSK_HTTP" ] && { as_user "${HUSK[@]}" rm -f $HUSK_TPUT $HUSK_HTTP >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- 6. run --rm true, default network
log "hyperfine: run --rm busybox true with the default network, $RUN_ROUNDS rounds × $RUNS runs"
as_user "${PODMAN[@]}" run --rm busybox true || die "podman run --rm busybox true failed"
HUSK_CMD="${HUSK[*]} run --rm busybox true"
PODMAN_CMD="${PODMAN[*]} run --rm busybox true"
if ! as_user "${HUSK[@]}" run --rm busybox true 2>"$RES/husk-run.err"; then
  husk_fail run_rm "run --rm busybox true: $(first_err "$RES/husk-run.err")"
fi
# what each default network gave the container (a husk without pasta has only lo)
ifaces() { awk 'NR > 2 { sub(":", "", $1); printf "%s%s", sep, $1; sep = " " }'; }
HUSK_IFACES=$(as_user "${HUSK[@]}" run --rm busybox cat /proc/net/dev 2>/dev/null | ifaces || true)
PODMAN_IFACES=$(as_user "${PODMAN[@]}" run --rm busybox cat /proc/net/dev 2>/dev/null | ifaces || true)
echo "interfaces with the default network: husk [${HUSK_IFACES:-?}], podman [${PODMAN_IFACES:-?}]"
for round in $(seq "$RUN_ROUNDS"); do
  cmds=(-n podman "$PODMAN_CMD")
  husk_ok run_rm && cmds=(-n husk "$HUSK_CMD" "${cmds[@]}")
  if ! as_user hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
      --export-json "$RES/run-$round.json" "${cmds[@]}" 2>"$RES/hf.err"; then
    cat "$RES/hf.err" >&2
    if husk_ok run_rm; then # how often does it fail, and how?
      hf_code=$(grep -o 'non-zero exit code: [0-9]*' "$RES/hf.err" | grep -o '[0-9]*$' | head -n1 || true)
      codes=$(for i in $(seq 20); do as_user timeout 30 "${HUSK[@]}" run --rm busybox true >/dev/null 2>&1 </dev/null; echo $?; done |
              sort | uniq -c | awk '{printf "%s%s x exit %s", sep, $1, $2; sep = ", "}')
      husk_fail run_rm "run --rm busybox true exited ${hf_code:-non-zero} under hyperfine (round $round); 20 more runs, stdout to /dev/null: $codes"
    fi
    as_user hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
      --export-json "$RES/run-$round.json" -n podman "$PODMAN_CMD"
  fi
done

# ---------------------------------------------------------------- report
HUSK_VER="husk $(as_user "${HUSK[@]}" --version 2>/dev/null || echo ?)"
PODMAN_VER=$(podman --version | sed 's/ version//')
NETINFO=$(as_user "${PODMAN[@]}" info --format '{{.Host.Slirp4NetNS.Version}}' 2>/dev/null | head -n1 || true)
printf '{"date":"%s","cores":%s,"load":"%s","husk":"%s","podman":"%s","podman_net":"%s","husk_default_ifaces":"%s","podman_default_ifaces":"%s","mib":%s,"rounds":%s,"requests":%s,"concurrency":%s,"run_rounds":%s,"runs":%s}\n' \
  "$(date -u +%FT%TZ)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$HUSK_VER" "$PODMAN_VER" \
  "$(echo "$NETINFO" | tr -d '"\n' | cut -c1-100)" "$HUSK_IFACES" "$PODMAN_IFACES" "$MIB" "$ROUNDS" "$REQUESTS" "$CONC" "$RUN_ROUNDS" "$RUNS" >"$RES/meta.json"
node -e '
  const fs = require("fs"), d = process.argv[1], o = {};
  for (const f of fs.readdirSync(d)) o[f] = fs.readFileSync(`${d}/${f}`, "utf8");
  fs.writeFileSync(process.argv[2], JSON.stringify(o) + "\n");' "$RES/failed" "$RES/failed.json"
log "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$HUSK_VER, $PODMAN_VER ($NETINFO, rootlessport), busybox $(/bin/busybox | head -n1 | awk '{print $2}')"
node "$NETCLIENT" report "$RES"

if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  cp "$RES"/summary.json "$RES"/meta.json "$RES"/mem.json "$RES"/failed.json "$OUT/"
  cp "$RES"/tput.jsonl "$RES"/conn.jsonl "$RES"/run-*.json "$OUT/" 2>/dev/null || true
  echo "json written to $OUT"
fi
