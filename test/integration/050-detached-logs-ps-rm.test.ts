// Detached containers and their lifecycle: run -d, ps, logs, rm, --rm, names.
import fs from 'node:fs';
import t from 'tap';
import { HEARTBEAT, Husk, lines, modes, newHusk, waitFor } from '../helpers/husk.js';

const unique = () => String(1_000_000 + Math.floor(Math.random() * 8_000_000));

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    t.test('run -d prints the full id and returns while the container runs', async (t) => {
      const tag = unique();
      const started = Date.now();
      const r = await h.run(['run', '-d', 'busybox', 'sleep', tag]);
      t.equal(r.code, 0);
      t.match(r.stdout, /^[0-9a-f]{64}\n$/, 'a 64-hex id on stdout');
      t.equal(r.stderr, '');
      t.ok(Date.now() - started < 30_000, 'returns without waiting for the container');
      const id = r.stdout.trim();

      t.ok(Husk.pidsOf('sleep', tag).length > 0, 'the process runs on the host');
      const q = await h.run(['ps', '-q']);
      t.same(lines(q.stdout), [id.slice(0, 12)], 'ps -q prints the short id');
      const ps = await h.run(['ps']);
      t.equal(ps.code, 0);
      t.match(ps.stdout, /CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES/, 'docker-style header');
      t.match(ps.stdout, new RegExp(`^${id.slice(0, 12)}\\s+.*busybox.*Up`, 'm'), 'a row for it, Up');

      const rm = await h.run(['rm', '-f', id]);
      t.equal(rm.code, 0, 'rm -f of a running container');
      t.match(rm.stdout, new RegExp(`^${id}`), 'prints the removed id');
      t.ok(await waitFor(() => Husk.pidsOf('sleep', tag).length === 0, 10_000), 'its process is gone');
      t.same(await h.containerIds(), [], 'ps -a -q is empty');
    });

    t.test('ps -a shows exited containers, ps does not', async (t) => {
      const r = await h.run(['run', '--name', 'done', 'busybox', 'sh', '-c', 'exit 3']);
      t.equal(r.code, 3);
      const ps = await h.run(['ps']);
      t.notMatch(ps.stdout, /done/, 'not in ps');
      const all = await h.run(['ps', '-a']);
      t.match(all.stdout, /Exited \(3\).*\bdone\b/, 'ps -a: Exited (3)');
      const q = await h.run(['ps', '-a', '-q']);
      t.equal(lines(q.stdout).length, 1);
      const rm = await h.run(['rm', 'done']);
      t.equal(rm.code, 0);
      t.match(rm.stdout, /done/, 'rm by name prints the name');
      t.same(await h.containerIds(), []);
    });

    t.test('logs', async (t) => {
      const d = await h.run(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'echo one; echo two >&2; echo three; sleep 600']);
      t.equal(d.code, 0);
      const logs = await waitFor(async () => {
        const l = await h.run(['logs', 'talker']);
        return /three/.test(l.stdout) ? l : undefined;
      });
      t.ok(logs, 'logs shows the output of a running container');
      if (logs) {
        t.equal(logs.code, 0);
        t.equal(logs.stdout, 'one\nthree\n', 'stdout on stdout');
        t.equal(logs.stderr, 'two\n', 'stderr on stderr');
      }
      const byId = await h.run(['logs', d.stdout.trim().slice(0, 12)]);
      t.equal(byId.stdout, 'one\nthree\n', 'by short id too');
      await h.run(['rm', '-f', 'talker']);

      const fg = await h.run(['run', '--name', 'fg', 'busybox', 'sh', '-c', 'seq 1 3']);
      t.equal(fg.stdout, '1\n2\n3\n');
      const after = await h.run(['logs', 'fg']);
      t.equal(after.stdout, '1\n2\n3\n', 'logs of an exited container');
      await h.run(['rm', 'fg']);

      const missing = await h.run(['logs', 'nosuchcontainer']);
      t.not(missing.code, 0, 'logs of an unknown container fails');
      t.match(missing.stderr, /nosuchcontainer/);
    });

    t.test('a detached container that exits shows as Exited', async (t) => {
      const d = await h.run(['run', '-d', '--name', 'quick', 'busybox', 'sh', '-c', 'exit 7']);
      t.equal(d.code, 0, 'run -d succeeds even though the command will fail');
      const ps = await waitFor(async () => {
        const r = await h.run(['ps', '-a']);
        return /Exited \(7\)/.test(r.stdout) ? r : undefined;
      });
      t.ok(ps, 'ps -a shows Exited (7)');
      const running = await h.run(['ps', '-q']);
      t.equal(running.stdout, '', 'not running');
      await h.run(['rm', 'quick']);
    });

    t.test('--rm removes the container when it exits', async (t) => {
      const r = await h.run(['run', '--rm', '--name', 'gone', 'busybox', 'true']);
      t.equal(r.code, 0);
      t.same(await h.containerIds(), [], 'foreground --rm');
      const d = await h.run(['run', '-d', '--rm', 'busybox', 'sh', '-c', 'sleep 1']);
      t.equal(d.code, 0);
      t.ok(await waitFor(async () => (await h.containerIds()).length === 0, 20_000), 'detached --rm: removed after exit');
    });

    t.test('container names are unique', async (t) => {
      const a = await h.run(['run', '-d', '--name', 'web', 'busybox', 'sleep', unique()]);
      t.equal(a.code, 0);
      const b = await h.run(['run', '--rm', '--name', 'web', 'busybox', 'true']);
      t.equal(b.code, 125, 'a second container with the same name is refused with 125');
      t.equal(lines(b.stderr).length, 1, 'one line on stderr');
      t.match(b.stderr, /web/, 'naming the name');
      t.equal((await h.containerIds()).length, 1, 'the first container is still the only one');
      const ps = await h.run(['ps']);
      t.match(ps.stdout, /\bweb\b/, 'and still runs');
      const rm = await h.run(['rm', '-f', 'web']);
      t.equal(rm.code, 0);
      const again = await h.run(['run', '--rm', '--name', 'web', 'busybox', 'true']);
      t.equal(again.code, 0, 'the name is free again after rm');
    });

    t.test('rm', async (t) => {
      const tag = unique();
      const d = await h.run(['run', '-d', '--name', 'busy', 'busybox', 'sleep', tag]);
      t.equal(d.code, 0);
      const noForce = await h.run(['rm', 'busy']);
      t.not(noForce.code, 0, 'rm without -f refuses a running container');
      t.match(noForce.stderr, new RegExp(`busy|${d.stdout.trim().slice(0, 12)}`), 'naming the container (name or id)');
      t.ok(Husk.pidsOf('sleep', tag).length > 0, 'which keeps running');
      const x = await h.run(['run', '--name', 'x1', 'busybox', 'true']);
      const y = await h.run(['run', '--name', 'x2', 'busybox', 'true']);
      t.same([x.code, y.code], [0, 0]);
      const missing = await h.run(['rm', 'x1', 'nosuch']);
      t.equal(missing.code, 1, 'rm of an unknown container fails: 1, as podman\'s');
      t.match(missing.stderr, /nosuch/, 'naming it');
      t.equal(missing.stdout, 'x1\n', 'the other is removed');
      const many = await h.run(['rm', '-f', 'busy', 'nosuch', 'x2']);
      t.same([many.code, many.stderr], [0, ''], 'rm -f: an unknown container is removed already, as docker\'s and podman\'s say');
      t.same(await h.containerIds(), [], 'but the others are removed');
      t.ok(await waitFor(() => Husk.pidsOf('sleep', tag).length === 0, 10_000), 'the running one is killed');
    });

    t.test('killing husk does not stop a foreground container', async (t) => {
      const tag = unique();
      // `sleep TAG` to find on the host, and a heartbeat in the log to wait on.
      const child = h.spawn(['run', '--name', 'survivor', 'busybox', 'sh', '-c', `sleep ${tag} & ${HEARTBEAT}`]);
      const up = await waitFor(() => Husk.pidsOf('sleep', tag).length > 0, 20_000);
      t.ok(up, 'the container started');
      // Every husk process of this run (node, and runuser around it when rootless).
      for (const pid of Husk.pidsMatching('run --name survivor busybox')) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      // Its monitor has seen the client go: whatever it would do about that, it did before these beats.
      t.ok(await h.beatsOn('survivor'), 'the container went on beating after husk was gone');
      t.ok(Husk.pidsOf('sleep', tag).length > 0, 'the container process still runs');
      const ps = await h.run(['ps']);
      t.match(ps.stdout, /Up.*\bsurvivor\b/, 'ps shows it Up');
      const rm = await h.run(['rm', '-f', 'survivor']);
      t.equal(rm.code, 0);
      t.ok(await waitFor(() => Husk.pidsOf('sleep', tag).length === 0, 10_000), 'rm -f stops it');
    });

    t.test('signals to a foreground husk run reach the container', async (t) => {
      const child = h.spawn(['run', '--rm', '--name', 'trapper', 'busybox', 'sh', '-c', 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done']);
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      t.ok(await waitFor(() => out.includes('ready'), 20_000), 'the container is ready');
      // The husk (node) process itself; when rootless, runuser is its parent.
      const comm = (pid: number) => {
        try {
          return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          return '';
        }
      };
      const target = Husk.pidsMatching('--name trapper busybox').find((pid) => comm(pid) === 'node') ?? child.pid!;
      process.kill(target, 'SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      t.equal(code, 42, 'husk exits with the status the container chose on SIGTERM');
      t.match(out, /got-term/, 'the container handled the signal');
    });

    t.test('a detached container survives husk and its session', async (t) => {
      const tag = unique();
      const d = await h.run(['run', '-d', 'busybox', 'sh', '-c', `sleep ${tag} & ${HEARTBEAT}`]);
      t.equal(d.code, 0);
      t.ok(await h.beatsOn(d.stdout.trim()), 'it went on beating after husk exited');
      t.ok(Husk.pidsOf('sleep', tag).length > 0, 'still running after husk exited');
      await h.run(['rm', '-f', d.stdout.trim()]);
    });
  });
}
