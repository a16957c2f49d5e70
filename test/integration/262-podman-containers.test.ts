// Podman's flags of the container commands, each as root and rootless: -l/--latest
// on every command podman gives it (one option, one resolver), ps --noheading/
// --sort/--format json, --filter on the bulk verbs, podman's exit codes for rm,
// wait on a created container, kill's signal spellings, cp from the WORKDIR,
// between containers and through a symlinked directory, and the podman flags
// husk refuses, each with the reason.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { lines, modes, newHusk, waitFor, type Husk } from '../helpers/husk.js';

/** What one case expects: the exit code, and stdout/stderr patterns when given. */
interface Case {
  args: string[];
  code: number;
  stdout?: RegExp | string;
  stderr?: RegExp;
  input?: string;
}

async function check(t: Test, h: Husk, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const r = await h.run(c.args, { timeoutMs: 30_000, ...(c.input === undefined ? {} : { input: c.input }) });
    const what = `husk ${c.args.join(' ')}`;
    t.equal(r.code, c.code, `${what}: exit ${c.code} (stderr: ${r.stderr.trim()})`);
    if (typeof c.stdout === 'string') t.equal(r.stdout, c.stdout, `${what}: stdout`);
    else if (c.stdout) t.match(r.stdout, c.stdout, `${what}: stdout`);
    if (c.stderr) t.match(r.stderr, c.stderr, `${what}: stderr`);
  }
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const ok = async (args: string[]) => (await h.ok(args)).stdout;
    const idOf = async (name: string) => (await ok(['inspect', '-f', '{{.Id}}', name])).trim();
    const state = async (name: string) => (await ok(['inspect', '-f', '{{.State.Status}}', name])).trim();

    t.test('-l/--latest: every container command acts on the latest created container', async (t) => {
      await ok(['run', '-d', '--name', 'older', 'busybox', 'sleep', '600']);
      await ok(['create', '--name', 'newest', '--label', 'which=newest', 'busybox', 'sh', '-c', 'echo started; exec sleep 600']);
      const newest = await idOf('newest');
      // A created container is not running: wait returns at once, with 0, as podman's.
      await check(t, h, [
        { args: ['wait', '-l'], code: 0, stdout: '0\n' },
        { args: ['inspect', '-l', '-f', '{{.Name}}'], code: 0, stdout: 'newest\n' },
        { args: ['container', 'inspect', '--latest', '-f', '{{.Config.Labels.which}}'], code: 0, stdout: 'newest\n' },
        { args: ['init', '-l'], code: 0, stdout: `${newest}\n` },
        { args: ['start', '-l'], code: 0, stdout: `${newest}\n` },
      ]);
      t.ok(await waitFor(async () => (await h.run(['logs', '-l'])).stdout === 'started\n'), 'logs -l: the newest container\'s log');
      await check(t, h, [
        { args: ['exec', '-l', 'cat', '/proc/1/cmdline'], code: 0, stdout: /^sh\x00-c\x00|^sleep\x00600/ },
        { args: ['top', '-l', 'args'], code: 0, stdout: /sleep 600/ },
        { args: ['port', '-l'], code: 0, stdout: '' },
        { args: ['diff', '-l'], code: 0 },
        { args: ['stats', '-l', '--no-stream', '--format', '{{.Name}}'], code: 0, stdout: 'newest\n' },
      ]);
      // Rootless without a delegated cgroup subtree a container cannot be frozen: husk says so, and so does this test.
      const pause = await h.run(['pause', '-l']);
      if (/has no cgroup of its own/.test(pause.stderr)) t.comment('pause -l: no cgroup of its own here (rootless without delegation)');
      else {
        t.same([pause.code, pause.stdout], [0, `${newest}\n`], 'pause -l');
        await check(t, h, [
          { args: ['ps', '-a', '--filter', 'name=newest', '--format', '{{.Status}}'], code: 0, stdout: /Paused/ },
          { args: ['unpause', '-l'], code: 0, stdout: `${newest}\n` },
        ]);
      }
      await check(t, h, [
        { args: ['kill', '-l', '-s', 'KILL'], code: 0, stdout: `${newest}\n` },
        { args: ['wait', '--latest'], code: 0, stdout: '137\n' },
        { args: ['restart', '-l', '-t', '0'], code: 0, stdout: `${newest}\n` },
        { args: ['stop', '-l', '-t', '0'], code: 0, stdout: `${newest}\n` },
        { args: ['healthcheck', 'run', '-l'], code: 125, stderr: /newest has no healthcheck/ },
        // --latest names the container itself: a name beside it is one too many.
        { args: ['stop', '-l', 'older'], code: 125, stderr: /--latest and containers cannot be used together/ },
        { args: ['inspect', '-l', 'older'], code: 125, stderr: /--latest and containers cannot be used together/ },
        { args: ['rm', '-l'], code: 0, stdout: `${newest}\n` },
      ]);
      t.equal(await state('older'), 'running', 'the older container was never touched');
      await ok(['rm', '-f', 'older']);
      await check(t, h, [{ args: ['rm', '-l'], code: 125, stderr: /no such container/ }]);
    });

    t.test('rm: podman\'s exit codes: 1 for a missing container, 2 for a running one; -f and --ignore forgive a missing one', async (t) => {
      await ok(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '600']);
      await check(t, h, [
        { args: ['rm', 'nosuch'], code: 1, stderr: /^Error: no container with name or ID "nosuch" found: no such container\n$/ },
        { args: ['rm', 'busy'], code: 2, stderr: /cannot remove container [0-9a-f]{64} as it is running/ },
        { args: ['rm', '-f', 'nosuch'], code: 0, stdout: '' },
        { args: ['rm', '--ignore', 'nosuch'], code: 0, stdout: '' },
        { args: ['stop', 'nosuch'], code: 125, stderr: /no such container/ },
        { args: ['rm', '-f', '-t', '0', 'busy', 'nosuch'], code: 0, stdout: 'busy\n' },
      ]);
      t.same(await h.containerIds(), [], 'busy is gone');
    });

    t.test('--filter on stop, rm, restart, start; start --filter with names starts only the matching ones', async (t) => {
      await ok(['run', '-d', '--name', 'fa', '--label', 'grp=x', 'busybox', 'sleep', '600']);
      await ok(['run', '-d', '--name', 'fb', 'busybox', 'sleep', '600']);
      const fa = await idOf('fa');
      await check(t, h, [
        { args: ['stop', '-t', '0', '--filter', 'label=grp=x'], code: 0, stdout: `${fa}\n` },
        { args: ['stop', '--filter', 'label=grp=x', 'fb'], code: 125, stderr: /--filter takes no arguments/ },
        { args: ['stop', '--filter', 'bogus=1'], code: 125, stderr: /invalid filter "bogus=1"/ },
      ]);
      t.same([await state('fa'), await state('fb')], ['exited', 'running'], 'only the labelled one stopped');
      await ok(['stop', '-t', '0', 'fb']);
      await check(t, h, [
        { args: ['start', '--filter', 'label=grp=x', 'fa', 'fb'], code: 0, stdout: 'fa\n' },
        { args: ['start', '--all', '--filter', 'restart-policy=bogus'], code: 125, stderr: /invalid filter "restart-policy=bogus"/ },
      ]);
      t.same([await state('fa'), await state('fb')], ['running', 'exited'], 'start --filter with names: only the match started');
      await check(t, h, [
        { args: ['restart', '-a', '--running', '-t', '0'], code: 0, stdout: `${fa}\n` },
        { args: ['rm', '--filter', 'name=^fb$'], code: 0, stdout: `${await idOf('fb')}\n` },
        { args: ['container', 'prune', '--filter', 'label=nomatch'], code: 0, stdout: '' },
        { args: ['container', 'prune', '--filter', 'bogus=1'], code: 125, stderr: /invalid filter/ },
        { args: ['rm', '-f', '-t', '0', 'fa'], code: 0 },
      ]);
      t.same(await h.containerIds(), [], 'all gone');
    });

    t.test('rm --depend: the containers on its network namespace go first', async (t) => {
      await ok(['run', '-d', '--name', 'netowner', 'busybox', 'sleep', '600']);
      await ok(['run', '-d', '--name', 'netuser', '--network', 'container:netowner', 'busybox', 'sleep', '600']);
      await check(t, h, [{ args: ['rm', '-f', '-t', '0', '--depend', 'netowner'], code: 0, stdout: `${await idOf('netuser')}\nnetowner\n` }]);
      t.same(await h.containerIds(), [], 'both removed');
    });

    t.test('wait: a created container returns at once; --condition and --interval', async (t) => {
      await ok(['create', '--name', 'fresh', 'busybox', 'sleep', '600']);
      const started = Date.now();
      await check(t, h, [{ args: ['wait', 'fresh'], code: 0, stdout: '0\n' }]);
      t.ok(Date.now() - started < 10_000, 'did not hang');
      await check(t, h, [
        { args: ['wait', '--condition', 'created', '--interval', '50ms', 'fresh'], code: 0, stdout: '0\n' },
        { args: ['wait', '--condition', 'bogus', 'fresh'], code: 125, stderr: /invalid --condition "bogus"/ },
        { args: ['wait', '--interval', 'soon', 'fresh'], code: 125, stderr: /invalid --interval "soon"/ },
        { args: ['wait', '--ignore', 'nosuch', 'fresh'], code: 0, stdout: '-1\n0\n' },
        { args: ['wait', 'nosuch'], code: 125, stderr: /no container with name or ID "nosuch" found/ },
        { args: ['wait'], code: 125, stderr: /wait needs a container name or ID, or --latest/ },
      ]);
      await ok(['start', 'fresh']);
      await ok(['run', '-d', '--name', 'quick', 'busybox', 'sh', '-c', 'exit 7']);
      await check(t, h, [
        { args: ['wait', '--condition', 'running', '-i', '100ms', 'fresh'], code: 0 },
        // fresh runs on; quick exits: --exit-first-match returns with quick's code.
        { args: ['wait', '--exit-first-match', 'fresh', 'quick'], code: 0, stdout: '7\n' },
      ]);
      await ok(['rm', 'quick']);
      await ok(['rm', '-f', 'fresh']);
    });

    t.test('a stop under way shows: ps Stopping/stopping, inspect stopping; then exited', async (t) => {
      await ok(['run', '-d', '--name', 'slow', 'busybox', 'sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
      t.ok(await waitFor(async () => (await h.run(['logs', 'slow'])).stdout.includes('ready')), 'TERM ignored from now on');
      const psState = async () => (await h.run(['ps', '-a', '--filter', 'name=slow', '--format', '{{.Status}}|{{.State}}'])).stdout;
      t.match(await psState(), /^Up .*\|running\n$/, 'running before the stop');
      const stopper = h.run(['stop', '-t', '5', 'slow']);
      t.ok(await waitFor(async () => (await psState()) === 'Stopping|stopping\n', 4000), 'ps: Stopping while the stop waits out its timeout');
      t.equal(await state('slow'), 'stopping', 'inspect: stopping');
      const r = await stopper;
      t.same([r.code, r.stdout], [0, 'slow\n'], 'the stop ends with SIGKILL');
      t.match(await psState(), /^Exited \(137\).*\|exited\n$/, 'then exited');
      await ok(['rm', 'slow']);
    });

    t.test('kill: -s INT, -s SIGUSR1, -s 10, --signal=usr1; -s 0 and unknown names refused', async (t) => {
      const script = 'trap "echo got-INT" INT; trap "echo got-USR1" USR1; echo ready; while :; do sleep 0.1; done';
      await ok(['run', '-d', '--name', 'sig', 'busybox', 'sh', '-c', script]);
      t.ok(await waitFor(async () => (await h.run(['logs', 'sig'])).stdout.includes('ready')), 'trap set');
      for (const [args, line, n] of [[['-s', 'INT'], 'got-INT', 1], [['-s', 'SIGUSR1'], 'got-USR1', 1], [['-s', '10'], 'got-USR1', 2], [['--signal=usr1'], 'got-USR1', 3]] as const) {
        await check(t, h, [{ args: ['kill', ...args, 'sig'], code: 0, stdout: 'sig\n' }]);
        const seen = await waitFor(async () => lines((await h.run(['logs', 'sig'])).stdout).filter((l) => l === line).length === n);
        t.ok(seen, `kill ${args.join(' ')}: the trap saw ${line} (${n})`);
      }
      await check(t, h, [
        { args: ['kill', '-s', '0', 'sig'], code: 125, stderr: /invalid signal: 0/ },
        { args: ['kill', '-s', 'BOGUS', 'sig'], code: 125, stderr: /invalid signal: BOGUS/ },
        { args: ['kill', 'nosuch'], code: 125, stderr: /no container with name or ID "nosuch" found/ },
      ]);
      await ok(['rm', '-f', 'sig']);
    });

    t.test('ps: --noheading, --sort, --format json in podman\'s shape; --ns refused, --sync ignored', async (t) => {
      await ok(['create', '--name', 'pb', 'busybox', 'true']);
      await ok(['create', '--name', 'pa', '--label', 'k=v', 'busybox', 'sleep', '1']);
      await check(t, h, [
        { args: ['ps', '-a', '--noheading', '--format', 'table {{.Names}}'], code: 0, stdout: 'pa\npb\n' },
        { args: ['ps', '-a', '--sort', 'names', '--format', '{{.Names}}'], code: 0, stdout: 'pa\npb\n' },
        // podman's sort is ascending: created is oldest first.
        { args: ['ps', '-a', '--sort', 'created', '--format', '{{.Names}}'], code: 0, stdout: 'pb\npa\n' },
        { args: ['ps', '-a', '--sort', 'command', '--format', '{{.Names}}'], code: 0, stdout: 'pa\npb\n' },
        { args: ['ps', '-a', '--sort', 'bogus'], code: 125, stderr: /invalid --sort "bogus": use one of command, created, id, image, names, runningfor, size, status/ },
        { args: ['ps', '--ns'], code: 125, stderr: /--ns is not supported: husk's ps has no namespace columns/ },
        { args: ['ps', '--sync', '-q'], code: 0, stderr: /--sync is ignored/ },
        { args: ['ps', '-a', '--filter', 'name=pa', '--format', '{{.CreatedHuman}}|{{.Exited}}|{{.ExitedAt}}|{{.StartedAt}}|{{.Restarts}}'], code: 0, stdout: /^(Less than a second|\d+ seconds?) ago\|false\|-62135596800\|-62135596800\|0\n$/ },
      ]);
      const noHeader = await ok(['ps', '-a', '--noheading']);
      t.equal(lines(noHeader).length, 2, '--noheading: the rows alone');
      t.notMatch(noHeader, /CONTAINER ID/);
      const json = JSON.parse(await ok(['ps', '-a', '--format', 'json', '--sort', 'names'])) as Array<Record<string, unknown>>;
      t.same(json.map((c) => c.Names), [['pa'], ['pb']], 'Names: an array, as podman\'s');
      t.same(json[0]?.Labels, { k: 'v' }, 'Labels: an object');
      t.same(json[1]?.Labels, null, 'no labels: null');
      t.same(json[0]?.Command, ['sleep', '1'], 'Command: an array');
      t.match(json[0], { Id: await idOf('pa'), State: 'created', Status: 'Created', Exited: false, ExitCode: 0, Pid: 0, IsInfra: false, AutoRemove: false }, 'podman\'s fields');
      t.equal(typeof json[0]?.Created, 'number', 'Created: Unix seconds');
      await ok(['rm', 'pa', 'pb']);
    });

    t.test('cp: relative paths from the WORKDIR, between containers, a symlinked directory followed, -a=false from a tar stream', async (t) => {
      await ok(['run', '-d', '--name', 'src', '-w', '/srv', 'busybox', 'sh', '-c', 'echo in-srv > /srv/note; mkdir -p /data; echo deep > /data/f; ln -s /data /datalink; exec sleep 600']);
      await ok(['create', '--name', 'dst', '-w', '/work', 'busybox', 'true']);
      t.ok(await waitFor(async () => (await h.run(['exec', 'src', 'test', '-L', '/datalink'])).code === 0), 'src ready');
      const out = path.join(h.dir, 'files', 'cp-out');
      fs.mkdirSync(out);
      fs.chownSync(out, h.uid, h.gid);
      await check(t, h, [
        { args: ['cp', 'src:note', path.join(out, 'note')], code: 0 },
        { args: ['cp', 'src:/datalink', path.join(out, 'linked')], code: 0 },
        { args: ['cp', 'src:note', 'dst:copied'], code: 0 },
        { args: ['cp', 'src:/datalink', 'dst:/'], code: 0 },
        { args: ['cp', 'dst:/work/copied', '-'], code: 0, stdout: /in-srv/ },
        { args: ['cp', 'dst:/datalink/f', '-'], code: 0, stdout: /deep/ },
        { args: ['cp', '--overwrite', 'src:note', out], code: 125, stderr: /--overwrite is not supported/ },
        { args: ['cp', 'src:note', 'nosuch:/x'], code: 125, stderr: /no such container/ },
      ]);
      t.equal(fs.readFileSync(path.join(out, 'note'), 'utf8'), 'in-srv\n', 'src:note is /srv/note, from the WORKDIR');
      t.ok(fs.lstatSync(path.join(out, 'linked')).isDirectory(), 'a symlink to a directory is followed, as podman\'s');
      t.equal(fs.readFileSync(path.join(out, 'linked', 'f'), 'utf8'), 'deep\n');

      // A tar whose entries belong to 1234:5678: podman's -a=false keeps them (as docker's -a); left out, the container's root gets them.
      const tarDir = path.join(h.dir, 'files', 'tarsrc');
      fs.mkdirSync(tarDir);
      fs.writeFileSync(path.join(tarDir, 'owned'), 'x');
      const tarFile = path.join(h.dir, 'files', 'owned.tar');
      const { execFileSync } = await import('node:child_process');
      execFileSync('tar', ['--owner=1234', '--group=5678', '--numeric-owner', '-C', tarDir, '-cf', tarFile, 'owned']);
      const tar = fs.readFileSync(tarFile);
      for (const [flags, owner] of [[['-a=false'], '1234:5678'], [['--archive=false'], '1234:5678'], [[], '0:0']] as const) {
        const r = await h.run(['cp', ...flags, '-', 'src:/tmp'], { input: tar });
        t.equal(r.code, 0, `cp ${flags.join(' ')} -: ${r.stderr}`);
        t.equal((await ok(['exec', 'src', 'stat', '-c', '%u:%g', '/tmp/owned'])).trim(), owner, `cp ${flags.join(' ')} -: ${owner} owns it`);
        await ok(['exec', 'src', 'rm', '/tmp/owned']);
      }

      // A tmpfs exists only while the container runs: a copy into it that would land under it, hidden, is refused.
      const hidden = /tmpc:\/scratch is on the tmpfs at \/scratch, which exists only while the container runs: start it, then copy/;
      await ok(['create', '--name', 'tmpc', '--tmpfs', '/scratch', 'busybox', 'sleep', '600']);
      const early = await h.run(['cp', '-', 'tmpc:/scratch'], { input: tar });
      // As root a created container's init holds its mounts already, and the copy goes into its tmpfs.
      if (mode === 'root') t.equal(early.code, 0, `root, created: into the tmpfs (${early.stderr})`);
      else t.match(early, { code: 125, stderr: hidden }, 'rootless, created: refused');
      await ok(['start', 'tmpc']);
      await h.ok(['cp', '-', 'tmpc:/scratch'], { input: tar });
      t.equal(await ok(['exec', 'tmpc', 'ls', '/scratch']), 'owned\n', 'running: the copy is in its tmpfs');
      await ok(['stop', '-t', '0', 'tmpc']);
      t.match(await h.run(['cp', '-', 'tmpc:/scratch/'], { input: tar }), { code: 125, stderr: hidden }, 'stopped: refused');
      await ok(['rm', '-f', '-t', '0', 'src', 'dst', 'tmpc']);
    });

    t.test('port -a, exec --cidfile, healthcheck run --ignore-result, container exists --external', async (t) => {
      await ok(['run', '-d', '--name', 'hc', '--health-cmd', 'false', '--health-interval', '1h', '--health-retries', '1', 'busybox', 'sleep', '600']);
      const cid = h.writeFile('hc.cid', await idOf('hc'));
      await check(t, h, [
        { args: ['exec', '--cidfile', cid, 'echo', 'via-cidfile'], code: 0, stdout: 'via-cidfile\n' },
        { args: ['healthcheck', 'run', 'hc'], code: 1, stdout: /^(starting|unhealthy)\n$/ },
        { args: ['healthcheck', 'run', '--ignore-result', 'hc'], code: 0 },
        { args: ['container', 'exists', '--external', 'hc'], code: 0 },
        { args: ['container', 'exists', 'nosuch'], code: 1 },
        { args: ['port', '-a'], code: 0, stdout: '' },
        { args: ['port', '-a', '-l'], code: 125, stderr: /--all and --latest cannot be used together/ },
      ]);
      await ok(['rm', '-f', '-t', '0', 'hc']);
    });

    t.test('podman flags husk refuses say why (exit 125)', async (t) => {
      await ok(['run', '-d', '--name', 'ref', 'busybox', 'sleep', '600']);
      await check(t, h, [
        { args: ['exec', '--preserve-fd', '3', 'ref', 'true'], code: 125, stderr: /--preserve-fd is not supported: husk passes a range of file descriptors/ },
        { args: ['update', '--health-startup-cmd', 'true', 'ref'], code: 125, stderr: /--health-startup-cmd is not supported: husk has no startup healthchecks/ },
        { args: ['update', '--cpu-rt-period', '1000', 'ref'], code: 125, stderr: /--cpu-rt-period is not supported/ },
        { args: ['update', '-l', '--restart', 'no'], code: 0, stdout: `${await idOf('ref')}\n` },
        { args: ['logs', '--color', 'ref'], code: 0, stderr: /--color is ignored/ },
        { args: ['exec', '--no-session', 'ref', 'true'], code: 0, stderr: /--no-session is ignored/ },
      ]);
      await ok(['rm', '-f', '-t', '0', 'ref']);
    });
  });
}
