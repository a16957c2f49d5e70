// What a container looks like from the inside, by default: test/fixtures/probe.c
// (at /usr/local/bin/probe in the busybox image) reports it as JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CAP, hasCap, modes, newHusk, parseIdMap, parseProbe, subordinateRanges, type Probe } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    const r = await h.run(['run', '--rm', 'busybox', 'probe']);
    t.equal(r.code, 0, 'the probe runs');
    t.equal(r.stderr, '', 'nothing on stderr');
    let p: Probe;
    try {
      p = parseProbe(r.stdout);
    } catch (e) {
      t.fail(`probe output: ${(e as Error).message}; stderr: ${r.stderr}`);
      return;
    }

    t.test('the command is pid 1 of its own pid namespace', async (t) => {
      t.equal(p.pid, 1, 'pid 1');
      t.ok(p.visiblePids >= 1 && p.visiblePids <= 3, `only the container's processes are visible in /proc (saw ${p.visiblePids})`);
    });

    t.test('own hostname', async (t) => {
      t.ok(p.hostname, 'has a hostname');
      t.not(p.hostname, os.hostname(), 'not the host name');
    });

    t.test('user namespace mapping', async (t) => {
      const uidMap = parseIdMap(p.uidMap);
      const gidMap = parseIdMap(p.gidMap);
      if (mode === 'root') {
        t.same(uidMap, [[0, 0, 4294967295]], 'rootful: no uid mapping (the initial user namespace)');
      } else {
        t.same(uidMap[0], [0, h.uid, 1], 'uid 0 inside is the user outside');
        const sub = subordinateRanges();
        t.same(uidMap[1], [1, sub.uid.start, sub.uid.count], 'uids 1.. come from the subordinate range in /etc/subuid');
        t.same(gidMap[0], [0, h.gid, 1], 'gid 0 inside is the group outside');
        t.same(gidMap[1], [1, sub.gid.start, sub.gid.count], 'gids 1.. come from the subordinate range in /etc/subgid');
      }
      t.equal(p.uid, 0, 'runs as uid 0 inside');
      t.equal(p.gid, 0, 'with gid 0');
    });

    t.test('capabilities are limited', async (t) => {
      t.ok(hasCap(p.capEff, CAP.CHOWN), 'CAP_CHOWN is kept');
      for (const cap of ['SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_TIME', 'SYS_BOOT'] as const)
        t.notOk(hasCap(p.capEff, CAP[cap]), `no CAP_${cap} (CapEff ${p.capEff})`);
      t.notOk(hasCap(p.capBnd, CAP.SYS_ADMIN), 'CAP_SYS_ADMIN is not in the bounding set either');
    });

    t.test('seccomp filter is on', async (t) => {
      t.equal(p.seccomp, 2, 'Seccomp: 2 (filter)');
    });

    t.test('no file descriptors leak into the container', async (t) => {
      t.same(p.openFds, [0, 1, 2], 'only stdin, stdout and stderr are open');
    });

    t.test('/proc is masked and read-only where it must be', async (t) => {
      t.equal(p.kcoreReadable, false, '/proc/kcore cannot be read');
      t.equal(p.procSysWritable, false, '/proc/sys cannot be written');
    });

    t.test('the root filesystem is writable but cannot be escaped', async (t) => {
      t.equal(p.rootWritable, true, 'the container can write to /');
      t.equal(p.dotdotStaysInside, true, '"/../x" lands at "/x" inside the container');
      t.notOk(fs.existsSync('/probe-escape'), 'nothing appeared at /probe-escape on the host');
      t.notOk(fs.existsSync('/probe-write-test'), 'nothing appeared at /probe-write-test on the host');
    });

    t.test('own network namespace', async (t) => {
      const hostIfaces = fs
        .readFileSync('/proc/net/dev', 'utf8')
        .split('\n')
        .slice(2)
        .map((l) => l.split(':')[0]!.trim())
        .filter(Boolean);
      t.ok(p.netIfaces, 'has /proc/net/dev');
      t.not(JSON.stringify(p.netIfaces?.slice().sort()), JSON.stringify(hostIfaces.sort()), 'not the host interfaces');
      t.ok(p.netIfaces?.includes('lo'), 'has a loopback interface');
    });

    t.test('loopback is up in a private network namespace: a server on 127.0.0.1 is reachable', async (t) => {
      // A server answers with the hostname; the client tries (a bounded number of times) until it
      // listens. While lo is down, every try fails with "Network is unreachable".
      const serve = 'nc -l -p 8080 -e hostname & for i in $(seq 100); do nc 127.0.0.1 8080 2>/dev/null && exit 0; sleep 0.1; done; exit 1';
      for (const network of [[], ['--network', 'none']]) {
        const r = await h.run(['run', '--rm', ...network, '--hostname', 'lo-check', 'busybox', 'sh', '-c', serve]);
        t.same([r.code, r.stdout, r.stderr], [0, 'lo-check\n', ''], `${network.join(' ') || 'default network'}: served over lo`);
      }
      const flags = await h.run(['run', '--rm', 'busybox', 'cat', '/sys/class/net/lo/flags']);
      t.equal(Number(flags.stdout.trim()) & 1, 1, 'lo has IFF_UP');
    });

    t.test('devices are limited', async (t) => {
      const ls = await h.run(['run', '--rm', 'busybox', 'ls', '/dev']);
      t.equal(ls.code, 0);
      const devs = ls.stdout.split(/\s+/).filter(Boolean);
      for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty'])
        t.ok(devs.includes(d), `/dev/${d} exists`);
      for (const d of ['sda', 'vda', 'kmsg', 'mem', 'port'])
        t.notOk(devs.includes(d), `no /dev/${d}`);
      const w = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'echo x > /dev/null && head -c 4 /dev/zero | wc -c']);
      t.same([w.code, w.stdout.trim()], [0, '4'], '/dev/null and /dev/zero work');
    });

    t.test('a root container\'s devices cgroup: podman\'s list, removed with the container', { skip: mode !== 'root' && 'root only' }, async (t) => {
      const d = await h.run(['run', '-d', 'busybox', 'sleep', '600']);
      const id = d.stdout.trim();
      const dir = `/sys/fs/cgroup/devices/husk/${id}`;
      if (!fs.existsSync('/sys/fs/cgroup/devices/devices.allow')) return void t.skip('no cgroup v1 devices controller here', () => {});
      t.same(fs.readFileSync(path.join(dir, 'devices.list'), 'utf8').split('\n').filter(Boolean), [
        'c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm', 'c 10:200 rwm',
      ]);
      const pid = Number((await h.run(['inspect', '--format', '{{.State.Pid}}', id])).stdout);
      t.same(fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number), [pid], 'the init is in it');
      const inside = await h.run(['exec', id, 'cat', '/proc/self/cgroup']);
      t.match(inside.stdout, /^\d+:devices:\/$/m, 'the container\'s cgroup namespace is rooted there');
      t.equal((await h.run(['rm', '-f', id])).code, 0);
      t.notOk(fs.existsSync(dir), 'rm removed it');
    });

    t.test('host processes cannot be seen or signalled', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', `kill -0 ${process.pid} 2>/dev/null && echo visible || echo hidden`]);
      t.equal(r.stdout, 'hidden\n', 'the test runner is not visible');
    });

    t.test('mount and hostname changes need privileges', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'mkdir -p /mnt; mount -t tmpfs none /mnt 2>/dev/null && echo mounted || echo refused']);
      t.equal(r.stdout, 'refused\n', 'mount is refused without CAP_SYS_ADMIN');
    });
  });
}
