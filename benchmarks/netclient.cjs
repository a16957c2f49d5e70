// Client side of benchmarks/network.sh (run by node on the host; no packages).
//
//   node netclient.cjs ports N               N distinct free TCP ports on 127.0.0.1
//   node netclient.cjs tput PORT MIB SECS    send MIB MiB to 127.0.0.1:PORT, half-close,
//                                            read the server's reply; prints one JSON line
//   node netclient.cjs http PORT BODY SECS   GET /index.html once, exit 0 if it is BODY
//   node netclient.cjs report RESDIR         the table (and RESDIR/summary.json)
//
// The throughput server is `busybox nc -ll -p P -e sh -c 'dd of=/dev/null bs=1M
// iflag=fullblock 2>&1'`: dd reads the socket itself and, after the client's
// FIN, answers "F+P records in": F full MiB blocks and P partial ones. The
// transfer counts only if F is MIB and P is 0: every byte arrived. busybox wc
// -c would count too, but at ~50 MB/s it would be what is measured.
'use strict';
const net = require('net');
const fs = require('fs');

const [cmd, ...args] = process.argv.slice(2);

function fail(msg) {
  process.stderr.write(`netclient: ${msg}\n`);
  process.exit(1);
}

function ports(n) {
  const servers = [];
  let left = n;
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    servers.push(s);
    s.listen(0, '127.0.0.1', () => {
      if (--left === 0) {
        console.log(servers.map((x) => x.address().port).join(' '));
        servers.forEach((x) => x.close());
      }
    });
  }
}

function tput(port, mib, secs) {
  const total = mib * 1048576;
  const buf = Buffer.alloc(1048576);
  const timer = setTimeout(() => fail(`tput: no complete answer within ${secs} s (sent ${sent} of ${total} bytes)`), secs * 1000);
  let sent = 0;
  let reply = '';
  let t0;
  let tEnd;
  const s = net.connect(+port, '127.0.0.1');
  const pump = () => {
    while (sent < total) {
      sent += buf.length;
      if (!s.write(buf)) return void s.once('drain', pump);
    }
    tEnd = process.hrtime.bigint();
    s.end();
  };
  s.on('connect', () => { t0 = process.hrtime.bigint(); pump(); });
  s.on('data', (d) => { reply += d; });
  s.on('error', (e) => fail(`tput: ${e.message}`));
  s.on('close', () => {
    clearTimeout(timer);
    const now = process.hrtime.bigint();
    const m = /(\d+)\+(\d+) records in/.exec(reply);
    if (!m || +m[1] !== mib || +m[2] !== 0) {
      fail(`tput: the server did not get all ${total} bytes (sent ${sent}; server said ${JSON.stringify(reply.trim().slice(0, 200))})`);
    }
    const s2 = Number(now - t0) / 1e9;
    console.log(JSON.stringify({ bytes: total, secs: s2, mbps: total / 1e6 / s2, write_secs: Number(tEnd - t0) / 1e9 }));
  });
}

function http(port, body, secs) {
  const timer = setTimeout(() => fail('http: timeout'), secs * 1000);
  const s = net.connect(+port, '127.0.0.1');
  let data = '';
  s.on('connect', () => s.write('GET /index.html HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'));
  s.on('data', (d) => { data += d; });
  s.on('error', (e) => fail(`http: ${e.message}`));
  s.on('close', () => {
    clearTimeout(timer);
    const ok = /^HTTP\/1\.[01] 200/.test(data) && data.endsWith(body + '\n');
    if (!ok) fail(`http: unexpected answer ${JSON.stringify(data.slice(0, 120))}`);
  });
}

// ------------------------------------------------------------------ report
function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function report(dir) {
  const read = (f, dflt) => { try { return JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')); } catch { return dflt; } };
  const lines = (f) => { try { return fs.readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)); } catch { return []; } };
  const failed = read('failed.json', {}); // { husk: reason, ... } per section
  const meta = read('meta.json', {});
  const tp = lines('tput.jsonl');         // {round, target, mbps} | {round, target, error}
  const cr = lines('conn.jsonl');         // {round, target, rps, failed, complete}
  const mem = read('mem.json', {});       // {husk: {kb, procs}, podman: {kb, procs}}
  const runs = fs.readdirSync(dir).filter((f) => /^run-\d+\.json$/.test(f)).map((f) => read(f).results);

  const byTarget = (rows, key) => {
    const o = {};
    for (const t of ['husk', 'podman', 'loopback']) o[t] = rows.filter((r) => r.target === t && Number.isFinite(r[key])).map((r) => r[key]);
    return o;
  };
  // per round ratio of husk to X, then the median of those: both engines under the same drift
  const roundRatios = (rows, key, other) => {
    const rounds = [...new Set(rows.map((r) => r.round))];
    return rounds.map((n) => {
      const h = rows.find((r) => r.round === n && r.target === 'husk');
      const o = rows.find((r) => r.round === n && r.target === other);
      return h && o && Number.isFinite(h[key]) && Number.isFinite(o[key]) ? h[key] / o[key] : NaN;
    }).filter(Number.isFinite);
  };

  const summary = { meta, failed, throughput: {}, conn_rate: {}, run_rm: {}, memory: mem };
  const rows = [];
  const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const huskCell = (section, v, d) => (failed[section] ? `FAILED` : fmt(v, d));

  // 1. throughput
  {
    const v = byTarget(tp, 'mbps');
    const med = { husk: median(v.husk), podman: median(v.podman), loopback: median(v.loopback) };
    const rp = median(roundRatios(tp, 'mbps', 'podman'));
    const rl = median(roundRatios(tp, 'mbps', 'loopback'));
    const met = Number.isFinite(rp) && Number.isFinite(rl) && rp >= 2 && rl >= 0.5;
    Object.assign(summary.throughput, { unit: 'MB/s', mib: meta.mib, samples: v, median: med, husk_over_podman: rp, husk_over_loopback: rl, target_met: failed.throughput ? false : met });
    rows.push(['throughput, MB/s (median)', huskCell('throughput', med.husk), fmt(med.podman), fmt(med.loopback),
      failed.throughput ? '-' : `${fmt(rp, 2)} x podman, ${fmt(rl, 2)} x loopback`,
      `>= 2 x podman, >= 0.5 x loopback: ${failed.throughput ? 'not measured' : met ? 'met' : 'MISSED'}`]);
  }
  // 2. connection rate
  {
    const v = byTarget(cr, 'rps');
    const med = { husk: median(v.husk), podman: median(v.podman), loopback: median(v.loopback) };
    const rp = median(roundRatios(cr, 'rps', 'podman'));
    const rl = median(roundRatios(cr, 'rps', 'loopback'));
    Object.assign(summary.conn_rate, { unit: 'requests/s', requests: meta.requests, concurrency: meta.concurrency, samples: v, median: med, husk_over_podman: rp, husk_over_loopback: rl });
    rows.push([`connections, req/s (ab -c ${meta.concurrency})`, huskCell('conn_rate', med.husk), fmt(med.podman), fmt(med.loopback),
      failed.conn_rate ? '-' : `${fmt(rp, 2)} x podman, ${fmt(rl, 2)} x loopback`, '(none; higher is better)']);
  }
  // 3. run --rm true
  {
    const get = (name) => runs.map((r) => r.find((x) => x.command === name)).filter(Boolean);
    const h = get('husk'), p = get('podman');
    const ratios = runs.map((r) => {
      const a = r.find((x) => x.command === 'husk'), b = r.find((x) => x.command === 'podman');
      return a && b ? a.median / b.median : NaN;
    }).filter(Number.isFinite);
    const hm = median(h.flatMap((x) => x.times)) * 1000, pm = median(p.flatMap((x) => x.times)) * 1000;
    const rr = median(ratios);
    const met = Number.isFinite(rr) && rr <= 0.5;
    Object.assign(summary.run_rm, { unit: 'ms', median: { husk: hm, podman: pm }, round_ratios: ratios, husk_over_podman: rr, target_met: failed.run_rm ? false : met });
    if (meta.husk_default_ifaces !== undefined) summary.run_rm.interfaces = { husk: meta.husk_default_ifaces, podman: meta.podman_default_ifaces };
    rows.push(['run --rm busybox true, ms (median)', huskCell('run_rm', hm, 1), fmt(pm, 1), '-',
      failed.run_rm ? '-' : `${fmt(rr, 2)} x podman`, `<= 0.5 x podman: ${failed.run_rm ? 'not measured' : met ? 'met' : 'MISSED'}` +
      (meta.husk_default_ifaces === 'lo' ? ' (husk: lo only, no outbound network)' : '')]);
  }
  // 4. memory
  {
    const hk = mem.husk && mem.husk.kb, pk = mem.podman && mem.podman.kb;
    rows.push(['published port, RSS kB', huskCell('memory', hk), fmt(pk), '-',
      failed.memory || !hk || !pk ? '-' : `${fmt(hk / pk, 2)} x podman`, '(none; lower is better)']);
  }

  const head = ['metric', 'husk', 'podman', 'loopback', 'ratio (husk /)', 'target'];
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ').trimEnd();
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  for (const section of ['throughput', 'conn_rate', 'run_rm', 'memory']) {
    if (failed[section]) console.log(`husk: FAILED (${failed[section]}) [${section}]`);
  }
  const show = (name, v) => console.log(`${name}: ${['husk', 'podman', 'loopback'].map((t) => `${t} [${(v[t] || []).map((x) => x.toFixed(0)).join(' ')}]`).join('  ')}`);
  show('throughput samples, MB/s', summary.throughput.samples);
  show('connection samples, req/s', summary.conn_rate.samples);
  if (summary.run_rm.interfaces) console.log(`run --rm, the container's interfaces: husk [${summary.run_rm.interfaces.husk}], podman [${summary.run_rm.interfaces.podman}]`);
  if (summary.run_rm.round_ratios.length) console.log(`run --rm husk/podman per round: ${summary.run_rm.round_ratios.map((x) => x.toFixed(2)).join(' ')}`);
  for (const t of ['husk', 'podman']) {
    if (mem[t] && mem[t].procs) console.log(`memory ${t}: ${mem[t].procs.map((p) => `${p.comm}(${p.pid}) ${p.rss_kb} kB`).join(' + ') || 'no process found'}`);
  }
  fs.writeFileSync(`${dir}/summary.json`, JSON.stringify(summary, null, 2) + '\n');
}

switch (cmd) {
  case 'ports': ports(+args[0]); break;
  case 'tput': tput(args[0], +args[1], +args[2]); break;
  case 'http': http(args[0], args[1], +args[2]); break;
  case 'report': report(args[0]); break;
  default: fail(`unknown command ${cmd}`);
}
