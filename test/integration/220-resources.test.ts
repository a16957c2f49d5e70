// Resource limits, pause, update, stats and OOM on this host (cgroup v1
// controllers as root; rootless, where no cgroup can be delegated, a clear
// refusal), each proven from the cgroup files and from what the container
// does. cgroup v2 is proven in a guest by 221-resources-cgroup2.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lines, modes, newHusk, waitFor } from '../helpers/husk.js';

/** The container's cgroup directory of a controller, from its init's /proc/PID/cgroup (v1: "N:memory:/husk/ID"; v2: "0::/..."). */
function cgroupDir(pid: number, controller: string): string | undefined {
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, p] = line.split(':');
    if (controllers?.split(',').includes(controller)) return path.join('/sys/fs/cgroup', controller, p!);
    if (controllers === '' && fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) return path.join('/sys/fs/cgroup', p!);
  }
  return undefined;
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const ok = async (args: string[]) => (await h.ok(args)).stdout;
    const pidOf = async (name: string) => Number((await ok(['inspect', '-f', '{{.State.Pid}}', name])).trim());
    const info = JSON.parse(await ok(['info', '--format', 'json'])) as { host: { cgroups: { limits: string; controllers: string[] } } };
    const limits = info.host.cgroups.limits;

    t.test('bad values: one line, exit 125, nothing created', async (t) => {
      for (const [flag, value, message] of [
        ['--memory', 'lots', /invalid --memory "lots": give a size such as 512m/],
        ['--memory', '1m', /minimum memory limit is 6MB/],
        ['--cpus', '-1', /invalid --cpus -1/],
        ['--cpuset-cpus', '0-', /give a list such as 0-3,5/],
        ['--pids-limit', 'x', /invalid argument "x" for "--pids-limit"/],
        ['--blkio-weight', '5', /10 to 1000/],
        ['--memory-swap', '1g', /--memory-swap needs --memory/],
        ['--ulimit', 'bogus=1', /invalid --ulimit "bogus=1"/],
      ] as const) {
        const r = await h.run(['run', '--rm', flag, value, 'busybox', 'true']);
        t.equal(r.code, 125, `${flag} ${value}: exit 125`);
        t.equal(lines(r.stderr).length, 1, 'one line');
        t.match(r.stderr, message);
      }
      t.equal((await ok(['ps', '-aq'])).trim(), '', 'no container left');
    });

    t.test('events: what a sequence of commands did, in order; filters; following', async (t) => {
      const since = new Date().toISOString();
      const follower = h.spawn(['events', '--since', since, '--format', '{{.Type}} {{.Action}} {{.Name}}', '--filter', 'type=container', '--filter', 'type=volume']);
      let followed = '';
      follower.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
      await ok(['volume', 'create', 'evvol']);
      await ok(['run', '-d', '--name', 'ev', 'busybox', 'sleep', '600']);
      await ok(['kill', 'ev']);
      await ok(['wait', 'ev']);
      await ok(['rm', 'ev']);
      const r = await h.run(['run', '--rm', '--name', 'ev2', 'busybox', 'sh', '-c', 'exit 3']);
      t.equal(r.code, 3);
      await ok(['tag', 'busybox', 'evtag']);
      const want = ['volume create evvol', 'container create ev', 'container start ev', 'container kill ev', 'container die ev', 'container remove ev', 'container create ev2', 'container start ev2', 'container die ev2', 'container remove ev2'];
      const past = lines(await ok(['events', '--stream=false', '--since', since, '--format', '{{.Type}} {{.Action}} {{.Name}}'])).filter((l) => !l.startsWith('image'));
      t.same(past, want, 'in the order the commands did it');
      t.match(await ok(['events', '--stream=false', '--since', since, '--filter', 'event=die', '--format', '{{.Name}} {{.ContainerExitCode}}']), /^ev 137\nev2 3\n$/, 'die with the exit code');
      t.match(await ok(['events', '--stream=false', '--since', since, '--filter', 'type=image']), /image tag \w+ \(name=localhost\/evtag:latest\)/, 'docker\'s line');
      t.equal(await ok(['events', '--stream=false', '--until', since]), '', 'nothing before');
      t.ok(await waitFor(() => lines(followed).length >= want.length), 'a follower saw them as they came');
      t.same(lines(followed), want);
      follower.kill('SIGINT');
      const bad = await h.run(['events', '--filter', 'colour=red']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid filter "colour=red"/);
    });

    if (limits.startsWith('unavailable')) {
      t.test('without a cgroup to use: limits refused with the reason, the rest runs', async (t) => {
        const r = await h.run(['run', '--rm', '--memory', '64m', 'busybox', 'true']);
        t.equal(r.code, 125);
        t.match(r.stderr, /^Error: resource limits cannot be set: .*(cgroup v1 controllers, which cannot be delegated|no cgroup v2 subtree is delegated)/);
        t.equal(await ok(['run', '--rm', 'busybox', 'echo', 'fine']), 'fine\n', 'a container without limits runs');
        await ok(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '600']);
        const p = await h.run(['pause', 'plain']);
        t.equal(p.code, 125);
        t.match(p.stderr, /cannot be paused: it has no cgroup of its own/);
        t.match(await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}}']), /^plain -- -- \/ --$/m, 'stats: what it cannot count is --');
        t.match(await ok(['stats', '--no-stream', '--format', '{{.NetIO}}', 'plain']), /^\S+ \/ \S+$/m, 'network I/O is counted anyway');
        await ok(['rm', '-f', 'plain']);
      });
      return;
    }

    t.test('the limits land in the container\'s cgroup, and inspect shows them', async (t) => {
      await ok(['run', '-d', '--name', 'lim', '--memory', '64m', '--memory-reservation', '32m', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '20', '--cpuset-cpus', '0', '--oom-score-adj', '200', '--shm-size', '16m', '--ulimit', 'nofile=512:1024', 'busybox', 'sleep', '600']);
      const pid = await pidOf('lim');
      const read = (controller: string, file: string) => fs.readFileSync(path.join(cgroupDir(pid, controller)!, file), 'utf8').trim();
      if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
        t.equal(read('memory', 'memory.max'), String(64 * 1024 ** 2));
        t.equal(read('cpu', 'cpu.max'), '50000 100000');
        t.equal(read('pids', 'pids.max'), '20');
      } else {
        t.equal(read('memory', 'memory.limit_in_bytes'), String(64 * 1024 ** 2), 'memory');
        t.equal(read('memory', 'memory.soft_limit_in_bytes'), String(32 * 1024 ** 2), 'reservation');
        t.equal(read('cpu', 'cpu.cfs_quota_us'), '50000', 'cpus: quota');
        t.equal(read('cpu', 'cpu.cfs_period_us'), '100000', 'cpus: period');
        t.equal(read('cpu', 'cpu.shares'), '512');
        t.equal(read('pids', 'pids.max'), '20');
        t.equal(read('cpuset', 'cpuset.cpus'), '0');
      }
      t.equal(fs.readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '200', 'oom_score_adj');
      t.equal(await ok(['exec', 'lim', 'sh', '-c', 'ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1 | awk \'{print $2}\'']), '512\n1024\n16384\n', 'ulimit and /dev/shm inside');
      const hc = JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig}}', 'lim'])) as Record<string, unknown>;
      t.match(hc, { Memory: 64 * 1024 ** 2, MemoryReservation: 32 * 1024 ** 2, NanoCpus: 5e8, CpuShares: 512, PidsLimit: 20, CpusetCpus: '0', OomScoreAdj: 200, ShmSize: 16 * 1024 ** 2 });

      await ok(['update', '--memory', '128m', '--pids-limit', '30', 'lim']);
      const memFile = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'memory.max' : 'memory.limit_in_bytes';
      t.equal(read('memory', memFile), String(128 * 1024 ** 2), 'update --memory takes effect at once');
      t.equal(read('pids', 'pids.max'), '30');
      t.equal(JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig.Memory}}', 'lim'])), 128 * 1024 ** 2, 'and is kept');
      const bad = await h.run(['update', '--memory', 'x', 'lim']);
      t.equal(bad.code, 125);
      const dir = cgroupDir(pid, 'memory')!;
      await ok(['rm', '-f', 'lim']);
      t.notOk(fs.existsSync(dir), 'the cgroup goes with the container');
    });

    t.test('block I/O limits on a loop device', { skip: mode !== 'root' ? 'a loop device and --device are root\'s' : undefined }, async (t) => {
      const img = path.join(h.dir, 'loop.img');
      fs.writeFileSync(img, Buffer.alloc(16 * 1024 * 1024));
      let dev: string;
      try {
        dev = execFileSync('losetup', ['--find', '--show', img], { encoding: 'utf8' }).trim();
      } catch (err) {
        t.plan(0, `no loop device here: ${(err as Error).message.split('\n')[0]}`);
        return;
      }
      t.teardown(() => execFileSync('losetup', ['-d', dev]));
      const rdev = fs.statSync(dev).rdev;
      const numbers = `${Math.floor(rdev / 256) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`;
      // Weights need a scheduler that has them (bfq): where the cgroup lacks the file, one clear line.
      const weighted = await h.run(['run', '--rm', '--device', dev, '--blkio-weight-device', `${dev}:300`, 'busybox', 'true']);
      if (weighted.code !== 0) t.match(weighted.stderr, /^Error: this host's cgroup has no blkio\.\S*weight_device: the limit it sets is not available here\n$/);
      await ok(['run', '-d', '--name', 'io', '--device', dev, '--device-write-bps', `${dev}:1mb`, '--device-read-iops', `${dev}:100`, 'busybox', 'sleep', '600']);
      const pid = await pidOf('io');
      const dir = cgroupDir(pid, 'blkio');
      if (dir) {
        t.equal(fs.readFileSync(path.join(dir, 'blkio.throttle.write_bps_device'), 'utf8').trim(), `${numbers} 1048576`, 'write bps');
        t.equal(fs.readFileSync(path.join(dir, 'blkio.throttle.read_iops_device'), 'utf8').trim(), `${numbers} 100`, 'read iops');
      } else {
        t.match(fs.readFileSync(path.join(cgroupDir(pid, 'io')!, 'io.max'), 'utf8'), new RegExp(`^${numbers} rbps=max wbps=1048576 riops=100 wiops=max$`, 'm'));
      }
      // The written bytes are counted against the device (the cgroup holds the limit for them).
      t.equal(await ok(['exec', 'io', 'sh', '-c', `dd if=/dev/zero of=${dev} bs=64k count=8 oflag=direct 2>/dev/null && echo written`]), 'written\n');
      t.match(await ok(['stats', '--no-stream', '--format', '{{.BlockIO}}', 'io']), /^\S+ \/ (5\d\d|[1-9]\d*\.?\d*[kM])B$/m, 'stats counts the block I/O');
      await ok(['rm', '-f', 'io']);
    });

    t.test('--pids-limit stops a fork bomb', async (t) => {
      const r = await h.run(['run', '--rm', '--pids-limit', '10', 'busybox', 'sh', '-c', 'for i in $(seq 30); do sleep 5 & done; wait']);
      t.not(r.code, 0, 'the shell could not fork 30 children');
      t.match(r.stderr, /can't fork|Resource temporarily unavailable/);
    });

    t.test('--memory: the OOM killer ends a container that allocates past it (137, OOMKilled)', async (t) => {
      await ok(['run', '-d', '--name', 'hog', '--memory', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived']);
      t.equal((await ok(['wait', 'hog'])).trim(), '137');
      t.ok(await waitFor(async () => (await ok(['inspect', '-f', '{{.State.OOMKilled}}', 'hog'])).trim() === 'true', 10_000), 'State.OOMKilled');
      t.notMatch(await ok(['logs', 'hog']), /survived/);
      await ok(['rm', 'hog']);
    });

    t.test('--cpus 0.5 holds a busy loop to about half a CPU; stats shows it', async (t) => {
      await ok(['run', '-d', '--name', 'busy', '--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done']);
      const pid = await pidOf('busy');
      const usage = () => Number(fs.readFileSync(path.join(cgroupDir(pid, 'cpuacct') ?? cgroupDir(pid, 'cpu')!, fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'cpu.stat' : 'cpuacct.usage'), 'utf8').match(/(\d+)/)![1]);
      const before = usage();
      const start = process.hrtime.bigint();
      await new Promise((r) => setTimeout(r, 3000));
      const used = usage() - before;
      const wall = Number(process.hrtime.bigint() - start);
      const share = used / wall;
      t.ok(share < 0.62, `at most about half a CPU: ${(share * 100).toFixed(1)}%`);
      t.ok(share > 0.05, `and it does run: ${(share * 100).toFixed(1)}%`);
      const row = (await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.PIDs}} {{.MemUsage}}', 'busy'])).trim();
      const m = /^busy ([\d.]+)% (\d+) \S+ \/ \S+$/.exec(row);
      t.ok(m, `stats: ${row}`);
      t.ok(Number(m?.[1]) > 0 && Number(m?.[1]) < 70, 'CPU % moves, under the limit');
      t.equal(m?.[2], '1', 'one process');
      await ok(['rm', '-f', 'busy']);
    });

    t.test('pause freezes a counting loop, unpause resumes it', async (t) => {
      // Written aside and renamed: a freeze between a truncate and a write would leave the file empty.
      await ok(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; done']);
      const pid = await pidOf('counter');
      const count = () => {
        try {
          return Number(fs.readFileSync(`/proc/${pid}/root/tmp/n`, 'utf8').trim());
        } catch {
          return 0; // not written yet
        }
      };
      t.ok(await waitFor(() => count() > 10), 'counting');
      await ok(['pause', 'counter']);
      const freezer = cgroupDir(pid, 'freezer');
      if (freezer) t.equal(fs.readFileSync(path.join(freezer, 'freezer.state'), 'utf8').trim(), 'FROZEN', 'the freezer says FROZEN');
      t.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'counter'])).trim(), 'paused true');
      t.match(await ok(['ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.Status}}']), /^counter Up .* \(Paused\)$/m);
      t.equal((await ok(['ps', '--filter', 'status=running', '-q'])).trim(), '', 'not running to a filter');
      const frozenAt = count();
      t.ok(frozenAt > 10, `a count to compare (${frozenAt})`);
      // At its usual pace the loop counts hundreds in this time: not one more while frozen.
      await new Promise((r) => setTimeout(r, 500));
      t.equal(count(), frozenAt, 'the count stands still');
      const e = await h.run(['exec', 'counter', 'true']);
      t.equal(e.code, 125);
      t.match(e.stderr, /is paused: unpause it/);
      t.equal((await h.run(['pause', 'counter'])).code, 125, 'pausing twice is refused');
      await ok(['unpause', 'counter']);
      t.ok(await waitFor(() => count() > frozenAt + 10), 'counting again');
      await ok(['pause', 'counter']);
      await ok(['stop', '-t', '1', 'counter']);
      t.match((await ok(['ps', '-a', '--filter', 'name=counter', '--format', '{{.Status}}'])).trim(), /^Exited/, 'a paused container stops');
      await ok(['rm', 'counter']);
    });
  });
}
