// The verbs of a container's life after create: stop (and a container that
// ignores SIGTERM), kill, wait, restart, start again, rename, exists, prune,
// rm -a, restart policies and --init; each as root and rootless.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Husk, lines, modes, newHusk, waitFor } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const status = async (name: string) => (await h.run(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'])).stdout.trim();
    const logs = async (name: string) => (await h.run(['logs', name])).stdout;

    t.test('a number flag given something else names the value typed, not NaN: stop -t, rm -t, ps -n', async (t) => {
      for (const [args, flag] of [[['stop', '-t', 'abc', 'x'], '-t'], [['stop', '--time=abc', 'x'], '--time'], [['rm', '-f', '-t', 'abc', 'x'], '-t'], [['ps', '-n', 'abc'], '-n']] as const) {
        const r = await h.run([...args]);
        t.equal(r.code, 125, `${args.join(' ')}: exit 125`);
        t.equal(r.stderr, `Error: invalid argument "abc" for "${flag}": a number is expected (see 'husk ${args[0]} --help')\n`, `${args.join(' ')}: the value as typed`);
      }
    });

    t.test('stop: a container that ignores SIGTERM is killed after exactly -t seconds', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'stubborn', 'busybox', 'sleep', '600'])).code, 0);
      const started = Date.now();
      const r = await h.run(['stop', '-t', '2', 'stubborn']);
      const took = Date.now() - started;
      t.same([r.code, r.stdout], [0, 'stubborn\n'], 'prints the name');
      t.ok(took >= 2000, `waited the timeout (${took} ms)`);
      t.ok(took < 8000, `then killed it (${took} ms)`);
      t.match(await status('stubborn'), /^Exited \(137\)/, 'SIGKILL: 137');
      const again = await h.run(['stop', 'stubborn']);
      t.same([again.code, again.stdout], [0, 'stubborn\n'], 'stopping a stopped container is fine');
      const w = await h.run(['wait', 'stubborn']);
      t.same([w.code, w.stdout], [0, '137\n'], 'wait prints the exit code');
    });

    t.test('rm -f -t: stops a running container gracefully first; rm -f alone kills it', async (t) => {
      const dir = path.join(h.dir, 'files', 'rm-t');
      fs.mkdirSync(dir);
      fs.chownSync(dir, h.uid, h.gid);
      const graceful = 'trap "echo term > /out/$0; exit 0" TERM; while :; do sleep 0.1; done';
      for (const name of ['rmt', 'rmf']) {
        t.equal((await h.run(['run', '-d', '--name', name, '-v', `${dir}:/out`, 'busybox', 'sh', '-c', graceful, name])).code, 0);
        await waitFor(async () => /Up/.test(await status(name)), 5000);
      }
      const r = await h.run(['rm', '-f', '-t', '5', 'rmt']);
      t.same([r.code, r.stdout], [0, 'rmt\n'], 'removed');
      t.equal(await status('rmt'), '', 'gone');
      t.equal(fs.readFileSync(path.join(dir, 'rmt'), 'utf8'), 'term\n', 'its TERM trap ran');
      t.equal((await h.run(['rm', '-f', 'rmf'])).code, 0);
      t.notOk(fs.existsSync(path.join(dir, 'rmf')), 'without -t: SIGKILL, no trap');
      const bad = await h.run(['rm', '-f', '-t', 'x', 'nosuch']);
      t.equal(bad.code, 125, 'a bad --time');
    });

    t.test('stop: a container that handles SIGTERM exits with its own code at once; --stop-signal', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'polite', 'busybox', 'sh', '-c', 'trap "echo bye; exit 3" TERM; while :; do sleep 0.1; done'])).code, 0);
      await waitFor(async () => /Up/.test(await status('polite')), 5000);
      const started = Date.now();
      t.equal((await h.run(['stop', 'polite'])).code, 0);
      t.ok(Date.now() - started < 5000, 'no timeout needed');
      t.match(await status('polite'), /^Exited \(3\)/);
      t.match(await logs('polite'), /bye/);
      t.equal((await h.run(['run', '-d', '--name', 'usr1', '--stop-signal', 'USR1', 'busybox', 'sh', '-c', 'trap "exit 4" USR1; while :; do sleep 0.1; done'])).code, 0);
      await waitFor(async () => /Up/.test(await status('usr1')), 5000);
      t.equal((await h.run(['stop', '-t', '20', 'usr1'])).code, 0);
      t.match(await status('usr1'), /^Exited \(4\)/, 'the stop signal given at create');
    });

    t.test('kill -s, wait --condition, restart, start again', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'k', 'busybox', 'sh', '-c', 'echo run; trap "echo got-hup" HUP; while :; do sleep 0.1; done'])).code, 0);
      const running = await h.run(['wait', '--condition', 'running', 'k']);
      t.equal(running.code, 0, 'wait --condition running returns');
      await waitFor(async () => /run/.test(await logs('k')), 5000);
      t.same((await h.run(['kill', '-s', 'HUP', 'k'])).code, 0);
      t.ok(await waitFor(async () => /got-hup/.test(await logs('k')), 5000), 'the container saw SIGHUP');
      t.match(await status('k'), /^Up/, 'and still runs');
      const waited = h.run(['wait', 'k']);
      t.equal((await h.run(['kill', 'k'])).code, 0, 'kill: SIGKILL by default');
      t.same([(await waited).code, (await waited).stdout], [0, '137\n'], 'a waiting wait returns when it exits');
      t.equal((await h.run(['start', 'k'])).code, 0, 'start of an exited container');
      t.match(await status('k'), /^Up/);
      t.ok(await waitFor(async () => lines(await logs('k')).filter((l) => l === 'run').length === 2, 5000), 'it ran again; the log goes on');
      t.equal((await h.run(['restart', '-t', '0', 'k'])).code, 0);
      t.match(await status('k'), /^Up/, 'running after restart');
      t.ok(await waitFor(async () => lines(await logs('k')).filter((l) => l === 'run').length === 3, 5000), 'a third run');
      const bad = await h.run(['kill', '-s', 'BOGUS', 'k']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid signal: BOGUS/);
      t.equal((await h.run(['rm', '-f', 'k'])).code, 0);
      const gone = await h.run(['stop', 'k']);
      t.equal(gone.code, 125, 'stop of a missing container');
      t.match(gone.stderr, /no such container/);
      const notRunning = await h.run(['kill', 'stubborn']);
      t.equal(notRunning.code, 125, 'kill of a stopped container');
    });

    t.test('start -a again at once: the cleanup of the run before does not break the next start', async (t) => {
      // Each run's monitor starts a cleanup once the container exits; the next
      // start -a makes a new init meanwhile, whose FIFO and attach socket that
      // cleanup removed (then: connect ENOENT, and "already running" ever after).
      t.equal((await h.run(['create', '--name', 'again', 'busybox', 'echo', 'hi'])).code, 0);
      const failures: string[] = [];
      for (let i = 0; i < 30 && failures.length === 0; i++) {
        const r = await h.run(['start', '-a', 'again']);
        if (r.code !== 0 || r.stdout !== 'hi\n') failures.push(`start ${i + 1}: ${r.code} ${JSON.stringify(r.stdout)} ${r.stderr}`);
      }
      t.same(failures, [], '30 starts in a row, each ran');
      t.equal((await h.run(['rm', 'again'])).code, 0);
    });

    t.test('rename, container exists, container prune, rm -a', async (t) => {
      t.equal((await h.run(['create', '--name', 'old', 'busybox', 'true'])).code, 0);
      t.equal((await h.run(['rename', 'old', 'new'])).code, 0);
      t.equal((await h.run(['container', 'exists', 'new'])).code, 0);
      const old = await h.run(['container', 'exists', 'old']);
      t.same([old.code, old.stdout, old.stderr], [1, '', ''], 'exists: 1 and silent');
      const taken = await h.run(['rename', 'new', 'polite']);
      t.equal(taken.code, 125, 'a name in use');
      t.match(taken.stderr, /already in use/);
      t.equal((await h.run(['run', '-d', '--name', 'keeper', 'busybox', 'sleep', '600'])).code, 0);
      const prune = await h.run(['container', 'prune', '-f']);
      t.equal(prune.code, 0);
      const left = lines((await h.run(['ps', '-a', '--format', '{{.Names}}'])).stdout);
      t.same(left, ['keeper'], 'prune keeps only the running container');
      t.equal((await h.run(['run', '-d', 'busybox', 'sleep', '600'])).code, 0);
      const ids = lines((await h.run(['ps', '-aq'])).stdout);
      const rm = await h.run(['rm', '-f', ...ids]);
      t.equal(rm.code, 0, 'rm -f $(ps -aq)');
      t.same(lines((await h.run(['ps', '-aq'])).stdout), []);
      t.equal((await h.run(['create', 'busybox', 'true'])).code, 0);
      t.equal((await h.run(['rm', '-a'])).code, 0, 'rm -a');
      t.same(lines((await h.run(['ps', '-aq'])).stdout), []);
    });

    t.test('restart policies', async (t) => {
      // No restart is on its way once the monitor, and the cleanup that applies the policy, are gone.
      const settled = (id: string) => waitFor(() => Husk.monitorPids(id).length === 0, 30_000);
      const fails = await h.run(['run', '-d', '--name', 'fails', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo attempt; exit 1']);
      t.equal(fails.code, 0);
      t.ok(await waitFor(async () => lines(await logs('fails')).length === 3, 15_000), 'on-failure:2: the first run and two restarts');
      t.ok(await settled(fails.stdout.trim()), 'the policy is done with it');
      t.equal(lines(await logs('fails')).length, 3, 'and no more');
      t.match(await status('fails'), /^Exited \(1\)/);
      const ok = await h.run(['run', '-d', '--name', 'ok', '--restart', 'on-failure', 'busybox', 'sh', '-c', 'echo once']);
      t.equal(ok.code, 0);
      await h.run(['wait', 'ok']);
      t.ok(await settled(ok.stdout.trim()), 'the policy is done with it');
      t.equal(lines(await logs('ok')).length, 1, 'on-failure: a clean exit is not restarted');
      const forever = await h.run(['run', '-d', '--name', 'forever', '--restart', 'always', 'busybox', 'sh', '-c', 'echo up; sleep 0.2']);
      t.equal(forever.code, 0);
      t.ok(await waitFor(async () => lines(await logs('forever')).length >= 3, 15_000), 'always: restarted again and again');
      t.equal((await h.run(['stop', 'forever'])).code, 0);
      const n = lines(await logs('forever')).length;
      t.ok(await settled(forever.stdout.trim()), 'the policy is done with it');
      t.equal(lines(await logs('forever')).length, n, 'stopped by its user: stays stopped');
      const st = await h.run(['start', '--all', '--filter', 'restart-policy=always']);
      t.same([st.code, lines(st.stdout).length], [0, 1], 'start --all --filter restart-policy=always (after a reboot)');
      t.ok(await waitFor(async () => lines(await logs('forever')).length > n, 5000), 'and it runs again');
      t.equal((await h.run(['rm', '-f', 'forever', 'fails', 'ok'])).code, 0);
      for (const [flags, message] of [
        [['--restart', 'sometimes'], /invalid --restart "sometimes"/],
        [['--restart', 'always:3'], /invalid --restart "always:3"/],
        [['--rm', '--restart', 'always'], /--restart and --rm cannot be used together/],
        [['--stop-signal', 'NOPE'], /invalid signal: NOPE/],
      ] as const) {
        const r = await h.run(['run', '-d', ...flags, 'busybox', 'true']);
        t.equal(r.code, 125, flags.join(' '));
        t.match(r.stderr, message);
      }
      t.same(lines((await h.run(['ps', '-aq'])).stdout), [], 'refused options create nothing');
    });

    t.test('--init: a tiny init is PID 1, forwards the stop signal and reaps zombies', async (t) => {
      const ps = await h.run(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,comm']);
      t.equal(ps.code, 0);
      t.match(ps.stdout, /^\s*1 husk-init$/m, 'PID 1 is the init');
      t.match(ps.stdout, /^\s*2 ps$/m, 'the command is its child');
      const code = await h.run(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'exit 5']);
      t.equal(code.code, 5, 'the exit code of the command');
      // An orphan's zombie: sh starts a child that outlives it... and the init reaps it.
      const z = await h.run(['run', '--rm', '--init', 'busybox', 'sh', '-c', '(sleep 0.1 &) ; sleep 0.5; ps -o stat,comm | grep -c "^Z" || true']);
      t.equal(z.stdout.trim(), '0', 'no zombie left');
      t.equal((await h.run(['run', '-d', '--name', 'inited', '--init', 'busybox', 'sleep', '600'])).code, 0);
      const started = Date.now();
      t.equal((await h.run(['stop', 'inited'])).code, 0);
      t.ok(Date.now() - started < 5000, 'sleep gets SIGTERM through the init: no timeout');
      t.match(await status('inited'), /^Exited \(143\)/);
      t.equal((await h.run(['rm', 'inited'])).code, 0);
    });

    t.test('clean up', async (t) => {
      t.equal((await h.run(['rm', '-af'])).code, 0);
      t.same(lines((await h.run(['ps', '-aq'])).stdout), []);
    });
  });
}
