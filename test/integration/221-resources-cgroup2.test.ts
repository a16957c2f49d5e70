// Resource limits on cgroup v2, which this host (hybrid, v1 controllers)
// cannot show: test/fixtures/cgroup2-guest.sh runs in a cgroup-v2-only
// guest booted by the workplace's cgroup2-vm tool, as root (the root
// cgroup) and as an unprivileged user with a delegated subtree (systemd's
// user@UID.service shape), and every "ok"/"not ok" line it prints is a test
// here. The guest runs the host's own node and this checkout's husk.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { fixtures } from '../helpers/husk.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tool = process.env.CGROUP2_VM_TOOL ?? path.resolve(repo, '../shared/tools/cgroup2-vm/run-in-vm.sh');
// Booting and running node under emulation (no KVM here) takes minutes, past .taprc's 600 s per file.
t.setTimeout(2_400_000);

const skip = process.getuid?.() !== 0 ? 'the guest needs root on the host' : !fs.existsSync(tool) ? `no cgroup2-vm tool at ${tool} (set CGROUP2_VM_TOOL)` : false;

for (const [who, flags] of [
  ['root', []],
  ['a user with a delegated subtree', ['-u']],
] as const) {
  t.test(`cgroup v2 guest, as ${who}`, { skip, timeout: 1_500_000 }, async (t) => {
    const tar = fixtures.busyboxTar;
    const script = path.join(repo, 'test/fixtures/cgroup2-guest.sh');
    const r = spawnSync(tool, [...flags, '-d', repo, '-d', path.dirname(tar), `bash ${script} ${tar}`], { encoding: 'utf8', timeout: 1_400_000, env: { ...process.env, CGROUP2_VM_TIMEOUT: '1300' } });
    const out = `${r.stdout}\n${r.stderr}`;
    t.equal(r.status, 0, `the guest ran the checks (exit ${r.status})${r.status === 0 ? '' : `: ${out.slice(-2000)}`}`);
    const results = out.split('\n').filter((l) => /^(not )?ok - /.test(l));
    t.ok(results.length >= 15, `every check reported (${results.length})`);
    for (const line of results) t.ok(line.startsWith('ok - '), line.replace(/^(not )?ok - /, ''));
    t.match(out, /^# done$/m, 'to the end');
  });
}
