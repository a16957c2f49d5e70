// What a user sees of running containers: logs (-f, --tail, --since/--until,
// -t, several containers), inspect (docker's fields, --type, Go templates),
// ps (filters, -l/-n/-q/--no-trunc/-s, --format), generated names and id
// prefixes, attach and the detach keys at a real terminal, --sig-proxy, top,
// port and healthchecks; each as root and rootless.
import fs from 'node:fs';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import t, { type Test } from 'tap';
import { HEARTBEAT, Husk, lines, modes, newHusk, waitFor } from '../helpers/husk.js';

/** A started process: what it printed so far, and how it ended. */
interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (128+signal when killed) once the process is gone. */
  exited: Promise<number>;
  /** Whether it has ended yet. */
  done(): boolean;
}

function watch(child: ChildProcess): Proc {
  let out = '';
  let err = '';
  let finished = false;
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  child.stdin!.on('error', () => {
    /* it may exit without reading */
  });
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      finished = true;
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited, done: () => finished };
}

/** The exit code, or undefined when the process has not ended within `ms`. */
async function within(p: Proc, ms: number): Promise<number | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p.exited, late]);
  } finally {
    clearTimeout(timer); // a pending timer would keep this file running for the rest of `ms`
  }
}

function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * husk at a terminal we type into over time: script(1) gives it a pty and
 * copies our pipe to the pty's master, as h.runTty does, but stdin stays
 * open until we end it (runTty writes its input at once and closes it).
 */
function terminal(h: Husk, args: string[]): Proc & { type(s: string): void } {
  const cmdline = `stty rows 24 cols 80 2>/dev/null; exec ${h.argv(args).map(shQuote).join(' ')}`;
  // The harness's own spawner: as the husk user, with its environment, killed at cleanup.
  const spawner = (h as unknown as { spawnArgv?: (argv: string[]) => ChildProcess }).spawnArgv;
  if (typeof spawner !== 'function') throw new Error('test/helpers/husk.ts no longer has Husk.spawnArgv: update terminal()');
  const p = watch(spawner.call(h, ['script', '-qec', cmdline, '/dev/null']));
  return { ...p, type: (s: string) => p.child.stdin!.write(s) };
}

/** Pids of the processes below `root` (breadth first). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Bytes a process has written (write and send calls, /proc/PID/io), or undefined once it is gone. */
function bytesWritten(pid: number): number | undefined {
  try {
    return Number(/^wchar: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/** Whether a process has a file open whose path ends with `suffix`. */
function hasOpen(pid: number, suffix: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(suffix);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Whether a process's main thread is blocked in epoll: a node process waiting for I/O, with nothing else to do. */
function waitingForIo(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('epoll');
  } catch {
    return false;
  }
}

/** The node process of a spawned husk (below runuser in rootless mode), which is what a user's kill reaches. */
function huskPid(child: ChildProcess): number | undefined {
  for (const pid of [child.pid!, ...descendants(child.pid!)]) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/(^|\/)node$/.test(argv[0] ?? '') && argv.some((a) => a.endsWith('/bin/husk'))) return pid;
    } catch {
      /* gone */
    }
  }
  return undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;
const PROMPT = /\/ # /;

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const status = async (name: string) => (await h.run(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'])).stdout.trim();
    const inspect = async (name: string, format: string) => {
      const r = await h.run(['inspect', '-f', format, name]);
      return r.code === 0 ? r.stdout.replace(/\n$/, '') : `exit ${r.code}: ${r.stderr.trim()}`;
    };
    const names = async (...args: string[]) => lines((await h.run(['ps', ...args, '--format', '{{.Names}}'])).stdout);
    const rmAll = async (t: Test) => {
      const r = await h.run(['rm', '-af']);
      t.equal(r.code, 0, `rm -af: ${r.stderr}`);
    };

    t.test('logs -f follows a running container and returns when it stops (run -d --rm, logs -f, stop)', async (t) => {
      const run = await h.run(['run', '-d', '--rm', '--name', 'web', 'busybox', 'sh', '-c', 'trap "echo bye; exit 0" TERM; trap "echo more" USR1; echo hello; while :; do sleep 0.1; done']);
      t.equal(run.code, 0, run.stderr);
      t.match(run.stdout, /^[0-9a-f]{64}\n$/, 'run -d prints the id');
      const follow = watch(h.spawn(['logs', '-f', 'web']));
      t.ok(await waitFor(() => follow.stdout() === 'hello\n', 30_000), `logs -f shows what was logged: ${JSON.stringify(follow.stdout())}`);
      // A line logged after logs -f has shown all there was: it must still be there to show it.
      t.equal((await h.run(['kill', '-s', 'USR1', 'web'])).code, 0, 'kill -s USR1 web');
      t.ok(await waitFor(() => follow.stdout() === 'hello\nmore\n', 30_000), `logs -f shows a line logged later: ${JSON.stringify(follow.stdout())}`);
      t.notOk(follow.done(), 'and keeps following while the container runs');
      const stop = await h.run(['stop', 'web']);
      t.same([stop.code, stop.stdout], [0, 'web\n'], 'stop web');
      const code = await within(follow, 30_000);
      t.equal(code, 0, 'logs -f returns once the container has stopped');
      t.equal(follow.stdout(), 'hello\nmore\nbye\n', 'with the lines written while it stopped');
      t.equal(follow.stderr(), '');
      t.same(await names('-a'), [], '--rm: the container is gone');
      const gone = await h.run(['logs', 'web']);
      t.equal(gone.code, 125, 'logs of a missing container');
      t.match(gone.stderr, /no container with name or ID "web" found/);
    });

    t.test('logs: stderr to stderr, --tail/-n, -t', async (t) => {
      t.equal((await h.run(['run', '--name', 'both', 'busybox', 'sh', '-c', 'echo out; echo err >&2; echo out2'])).code, 0);
      const both = await h.run(['logs', 'both']);
      t.same([both.code, both.stdout, both.stderr], [0, 'out\nout2\n', 'err\n'], 'each line on the stream it was written to');
      t.equal((await h.run(['run', '--name', 'five', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo $i; done'])).code, 0);
      const tail = async (...flags: string[]) => (await h.run(['logs', ...flags, 'five'])).stdout;
      t.equal(await tail('--tail', '2'), '4\n5\n', '--tail 2');
      t.equal(await tail('-n', '1'), '5\n', '-n 1');
      t.equal(await tail('--tail', '0'), '', '--tail 0');
      t.equal(await tail('--tail', 'all'), '1\n2\n3\n4\n5\n', '--tail all');
      t.equal(await tail('--tail', '10'), '1\n2\n3\n4\n5\n', '--tail beyond the start');
      const bad = await h.run(['logs', '--tail', 'x', 'five']);
      t.equal(bad.code, 125, '--tail x');
      t.match(bad.stderr, /invalid --tail "x"/);
      const ts = await h.run(['logs', '-t', '--tail', '2', 'five']);
      t.equal(ts.code, 0);
      const stamped = lines(ts.stdout);
      t.equal(stamped.length, 2);
      for (const [i, l] of stamped.entries()) {
        const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (\S+)$/.exec(l);
        t.ok(m, `-t: an RFC 3339 time before the line: ${l}`);
        t.equal(m?.[2], String(i + 4));
        t.ok(Math.abs(Date.parse(m?.[1] ?? '') - Date.now()) < 3_600_000, 'a time of today');
      }
      await rmAll(t);
    });

    t.test('logs to a reader that is slow to start gets every byte (husk waits for stdout to drain before it exits)', async (t) => {
      // ~3 MB: far more than a socket's buffer, so most of it waits in husk's queue.
      t.equal((await h.run(['run', '--name', 'chatty', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 40000 ]; do echo "line $i ............................................................"; i=$((i+1)); done'])).code, 0);
      const whole = (await h.run(['logs', 'chatty'])).stdout.length;
      t.ok(whole > 2_000_000, `the log is large (${whole} bytes)`);
      const slow = watch(h.spawn(['logs', 'chatty']));
      slow.child.stdout!.pause();
      // Read nothing until husk has read the whole log (it wrote, and the log
      // is closed again), queued what the socket did not take, and is idle in
      // its event loop: where an exit that does not wait for the queue to
      // drain would already have come. Or until husk has exited.
      const queued = await waitFor(() => {
        const pid = huskPid(slow.child);
        if (slow.done() || pid === undefined) return slow.done();
        return (bytesWritten(pid) ?? 0) > 4096 && !hasOpen(pid, '/ctr.log') && waitingForIo(pid);
      }, 30_000, 20);
      t.ok(queued, 'husk has written what it could and waits');
      slow.child.stdout!.resume();
      t.equal(await slow.exited, 0);
      t.equal(slow.stdout().length, whole, 'nothing dropped at the exit');
      await rmAll(t);
    });

    t.test('logs --since and --until: RFC 3339 times, Unix seconds, durations', async (t) => {
      t.equal((await h.run(['run', '--name', 'times', 'busybox', 'sh', '-c', 'echo early; sleep 3; echo late'])).code, 0);
      const stamped = lines((await h.run(['logs', '-t', 'times'])).stdout).map((l) => l.split(' '));
      t.same(stamped.map((f) => f[1]), ['early', 'late']);
      const [early, late] = stamped.map((f) => f[0]!);
      const logs = async (...flags: string[]) => {
        const r = await h.run(['logs', ...flags, 'times']);
        return r.code === 0 ? r.stdout : `exit ${r.code}: ${r.stderr}`;
      };
      t.equal(await logs('--since', late!), 'late\n', '--since the time of the second line');
      t.equal(await logs('--until', early!), 'early\n', '--until the time of the first line');
      t.equal(await logs('--since', early!, '--until', late!), 'early\nlate\n', 'both bounds included');
      t.equal(await logs('--since', String(Math.floor(Date.parse(late!) / 1000))), 'late\n', '--since in Unix seconds');
      t.equal(await logs('--since', '1h'), 'early\nlate\n', '--since 1h: everything');
      t.equal(await logs('--until', '1h'), '', '--until 1h (an hour ago): nothing');
      t.equal(await logs('--since', '2000-01-01T00:00:00Z'), 'early\nlate\n');
      t.equal(await logs('--until', '2000-01-01T00:00:00Z'), '');
      const bad = await h.run(['logs', '--since', 'bogus', 'times']);
      t.equal(bad.code, 125, '--since bogus');
      t.match(bad.stderr, /invalid --since "bogus"/);
      t.equal(lines(bad.stderr).length, 1, 'one line');
      await rmAll(t);
    });

    t.test('logs of several containers: each line after its container\'s name', async (t) => {
      t.equal((await h.run(['run', '--name', 'alpha', 'busybox', 'echo', 'hello-a'])).code, 0);
      t.equal((await h.run(['run', '--name', 'beta', 'busybox', 'sh', '-c', 'echo hello-b; echo oops >&2'])).code, 0);
      const r = await h.run(['logs', 'alpha', 'beta']);
      t.equal(r.code, 0);
      t.same(lines(r.stdout).sort(), ['alpha hello-a', 'beta hello-b']);
      t.equal(r.stderr, 'beta oops\n', 'stderr lines prefixed too, on stderr');
      const one = await h.run(['logs', 'alpha']);
      t.equal(one.stdout, 'hello-a\n', 'one container: no prefix');
      const named = await h.run(['logs', '--names', 'alpha']);
      t.equal(named.stdout, 'alpha hello-a\n', '--names');
      await rmAll(t);
    });

    t.test('inspect: State, Config.Env, Config.Labels, Mounts, HostConfig.RestartPolicy, Name, Id', async (t) => {
      const run = await h.run([
        'run', '-d', '--name', 'insp', '-e', 'FOO=bar', '-e', 'SPACED=a b', '--label', 'app=web', '--label', 'k=v w',
        '-v', 'data:/data', '--restart', 'on-failure:3', 'busybox', 'sleep', '987654',
      ]);
      t.equal(run.code, 0, run.stderr);
      const id = run.stdout.trim();
      t.match(id, HEX64);
      const all = await h.run(['inspect', 'insp']);
      t.equal(all.code, 0);
      const [obj, ...rest] = JSON.parse(all.stdout) as Array<Record<string, any>>;
      t.equal(rest.length, 0, 'a JSON array of one object');
      t.equal(obj?.Id, id, '.Id: the full id run -d printed');
      t.equal(obj?.Name, 'insp', '.Name');
      t.equal(obj?.State?.Status, 'running');
      t.equal(obj?.State?.Running, true);
      t.equal(obj?.State?.ExitCode, 0);
      const pid = obj?.State?.Pid as number;
      t.ok(Number.isInteger(pid) && pid > 1, '.State.Pid: a host pid');
      t.ok(Husk.pidsOf('sleep', '987654').includes(pid), '.State.Pid is the container\'s process');
      t.ok((obj?.Config?.Env as string[]).includes('FOO=bar'), '.Config.Env has -e FOO=bar');
      t.ok((obj?.Config?.Env as string[]).includes('SPACED=a b'), 'and -e "SPACED=a b"');
      t.same(obj?.Config?.Labels, { app: 'web', k: 'v w' }, '.Config.Labels from --label');
      t.same(obj?.Config?.Cmd, ['sleep', '987654']);
      const mounts = obj?.Mounts as Array<Record<string, unknown>>;
      t.equal(mounts.length, 1, '.Mounts: the volume');
      t.match(mounts[0], { Type: 'volume', Name: 'data', Destination: '/data', RW: true });
      t.same(obj?.HostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 }, '.HostConfig.RestartPolicy');

      t.equal(await inspect('insp', '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}'), `running true 0 ${pid}`);
      t.equal(await inspect('insp', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}'), 'on-failure:3');
      t.equal(await inspect('insp', '{{.Id}}'), id);
      t.equal(await inspect(id.slice(0, 12), '{{.Name}}'), 'insp', 'by id prefix');

      t.equal((await h.run(['run', '--name', 'ex', '--restart', 'no', 'busybox', 'sh', '-c', 'exit 4'])).code, 4);
      t.equal(await inspect('ex', '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}'), 'exited false 4 0', 'an exited container');
      t.equal(await inspect('ex', '{{json .HostConfig.RestartPolicy}}'), '{"Name":"no","MaximumRetryCount":0}');
      t.equal(await inspect('ex', '{{json .Mounts}}'), '[]');
    });

    t.test('inspect --format: Go templates', async (t) => {
      t.equal(await inspect('insp', '{{json .Config.Cmd}}'), '["sleep","987654"]', '{{json .Config.Cmd}}');
      const env = await inspect('insp', '{{range .Config.Env}}[{{.}}]{{end}}');
      t.match(env, /\[FOO=bar\]/, '{{range .Config.Env}}');
      t.match(env, /\[SPACED=a b\]/);
      t.match(env, /^(\[[^\]]*\])+$/, 'nothing but the items');
      t.equal(await inspect('insp', '{{index .Config.Labels "k"}}'), 'v w', '{{index .Config.Labels "k"}}');
      t.equal(await inspect('insp', '{{index .Config.Labels "app"}}'), 'web');
      t.equal(await inspect('insp', '{{if .State.Running}}up{{else}}down{{end}}'), 'up', '{{if .State.Running}}');
      t.equal(await inspect('ex', '{{if .State.Running}}up{{else}}down{{end}}'), 'down');
      t.equal(await inspect('insp', '{{upper .Name}}'), 'INSP', '{{upper .Name}}');
      t.equal(await inspect('insp', '{{json .Config.Labels}}'), '{"app":"web","k":"v w"}');
      const two = await h.run(['inspect', '-f', '{{.Name}}={{.State.ExitCode}}', 'insp', 'ex']);
      t.same([two.code, two.stdout], [0, 'insp=0\nex=4\n'], 'a line per object');
      const bad = await h.run(['inspect', '-f', '{{.Nope}}', 'insp']);
      t.equal(bad.code, 125, 'a field that does not exist');
      t.match(bad.stderr, /Nope/);
      const unclosed = await h.run(['inspect', '-f', '{{.Name', 'insp']);
      t.equal(unclosed.code, 125, 'a template that does not parse');
    });

    t.test('inspect --type; a missing object; container inspect, image inspect', async (t) => {
      t.equal(await inspect('busybox', '{{json .Config.Cmd}}'), '["sh"]', 'an image without --type');
      const image = await h.run(['inspect', '--type', 'image', '-f', '{{.Id}}', 'busybox']);
      t.equal(image.code, 0);
      t.match(image.stdout, /^(sha256:)?[0-9a-f]{64}\n$/);
      const volume = await h.run(['inspect', '--type', 'volume', '-f', '{{.Name}} {{.Driver}}', 'data']);
      t.same([volume.code, volume.stdout], [0, 'data local\n'], '--type volume');
      const container = await h.run(['inspect', '--type', 'container', '-f', '{{.Name}}', 'insp']);
      t.same([container.code, container.stdout], [0, 'insp\n'], '--type container');
      for (const [type, name] of [['image', 'insp'], ['volume', 'insp'], ['container', 'busybox'], ['container', 'data']]) {
        const r = await h.run(['inspect', '--type', type!, name!]);
        t.equal(r.code, 125, `--type ${type} ${name}: not one`);
        t.match(r.stderr, type === 'image' ? new RegExp(`no such image: ${name}|${name}: image not known`) : new RegExp(`no such ${type} ${name}`));
      }
      const badType = await h.run(['inspect', '--type', 'pod', 'insp']);
      t.equal(badType.code, 125);
      t.match(badType.stderr, /invalid --type "pod"/);

      const missing = await h.run(['inspect', 'nosuch']);
      t.equal(missing.code, 125, 'a missing object');
      t.equal(missing.stderr, 'Error: inspecting object: no such object: "nosuch"\n', 'one error line, podman\'s');
      t.equal(missing.stdout, '[]\n', 'an empty list, as docker and podman print');
      const partly = await h.run(['inspect', '-f', '{{.Name}}', 'insp', 'nosuch']);
      t.equal(partly.code, 125, 'one of two missing: 125');
      t.equal(partly.stdout, 'insp\n', 'the one found is still shown');
      t.match(partly.stderr, /no such object: "nosuch"/);

      const ci = await h.run(['container', 'inspect', '-f', '{{.Name}} {{.State.Status}}', 'insp']);
      t.same([ci.code, ci.stdout], [0, 'insp running\n'], 'container inspect');
      const ciImage = await h.run(['container', 'inspect', 'busybox']);
      t.equal(ciImage.code, 125, 'container inspect of an image');
      t.match(ciImage.stderr, /inspecting object: no such container busybox/);
      const ii = await h.run(['image', 'inspect', '--format', '{{json .Config.Cmd}}', 'busybox']);
      t.same([ii.code, ii.stdout], [0, '["sh"]\n'], 'image inspect --format');
      const iiContainer = await h.run(['image', 'inspect', 'insp']);
      t.equal(iiContainer.code, 125, 'image inspect of a container');
      t.match(iiContainer.stderr, /no such image: insp|insp: image not known/);
      await rmAll(t);
    });

    t.test('ps --filter', async (t) => {
      await rmAll(t);
      await h.importBusybox(['CMD ["true"]'], 'other:latest');
      t.equal((await h.run(['create', '--name', 'p-old', '--label', 'tier=db', 'busybox', 'true'])).code, 0);
      const run = await h.run(['run', '-d', '--name', 'p-run', '--label', 'tier=web', 'busybox', 'sleep', '600']);
      t.equal(run.code, 0);
      const runId = run.stdout.trim();
      t.equal((await h.run(['run', '--name', 'p-exit3', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
      t.equal((await h.run(['create', '--name', 'p-new', 'other'])).code, 0);

      t.same(await names(), ['p-run'], 'ps: running containers only');
      t.same(await names('-a'), ['p-new', 'p-exit3', 'p-run', 'p-old'], 'ps -a: all, newest first');
      t.same(await names('--filter', 'status=running'), ['p-run'], 'status=running');
      t.same(await names('--filter', 'status=exited'), ['p-exit3'], 'status=exited (without -a)');
      t.same(await names('--filter', 'status=created'), ['p-new', 'p-old'], 'status=created');
      t.same(await names('--filter', 'status=created', '--filter', 'status=running'), ['p-new', 'p-run', 'p-old'], 'the same key twice: either');
      t.same(await names('-a', '--filter', 'name=^p-r'), ['p-run'], 'name= (a regular expression)');
      t.same(await names('-a', '--filter', 'name=exit'), ['p-exit3'], 'name= (a part)');
      t.same(await names('-a', '--filter', `id=${runId.slice(0, 8)}`), ['p-run'], 'id= (a prefix)');
      t.same(await names('-a', '--filter', 'label=tier=web'), ['p-run'], 'label=KEY=VALUE');
      t.same(await names('-a', '--filter', 'label=tier'), ['p-run', 'p-old'], 'label=KEY');
      t.same(await names('-a', '--filter', 'label=tier', '--filter', 'status=created'), ['p-old'], 'different keys: all must match');
      t.same(await names('-a', '--filter', 'ancestor=other'), ['p-new'], 'ancestor=');
      t.same(await names('-a', '--filter', 'ancestor=busybox'), ['p-exit3', 'p-run', 'p-old']);
      t.same(await names('--filter', 'exited=3'), ['p-exit3'], 'exited=3');
      t.same(await names('--filter', 'exited=0'), [], 'exited=0: none');
      t.same(await names('-a', '--filter', 'before=p-exit3'), ['p-run', 'p-old'], 'before=');
      t.same(await names('-a', '--filter', 'since=p-run'), ['p-new', 'p-exit3'], 'since=');
      for (const [filter, message] of [
        ['bogus=1', /invalid filter "bogus=1"/],
        ['status=sleeping', /invalid filter "status=sleeping"/],
        ['exited=x', /invalid filter "exited=x"/],
      ] as const) {
        const r = await h.run(['ps', '--filter', filter]);
        t.equal(r.code, 125, `--filter ${filter}`);
        t.match(r.stderr, message);
      }
    });

    t.test('ps -l, -n, -q, --no-trunc, --format table|json, -s', async (t) => {
      t.same(await names('-l'), ['p-new'], '-l: the latest, whatever its state');
      t.same(await names('-n', '2'), ['p-new', 'p-exit3'], '-n 2');
      const ids = (await h.run(['ps', '-aq'])).stdout;
      t.match(ids, /^([0-9a-f]{12}\n){4}$/, '-aq: 12-hex ids, one a line');
      const running = await h.run(['ps', '-q']);
      t.equal(running.stdout, `${(await inspect('p-run', '{{.Id}}')).slice(0, 12)}\n`, '-q: running only');
      const full = await h.run(['ps', '-aq', '--no-trunc']);
      const fullIds = lines(full.stdout);
      t.equal(fullIds.length, 4);
      t.ok(fullIds.every((i) => HEX64.test(i)), '--no-trunc: 64-hex ids');
      t.same(fullIds.map((i) => i.slice(0, 12)), lines(ids), 'the same containers');
      const longCmd = await h.run(['ps', '--no-trunc', '--format', '{{.Command}}']);
      t.equal(longCmd.stdout, 'sleep 600\n');

      const table = await h.run(['ps', '-a', '--format', 'table {{.ID}}\t{{.Names}}']);
      t.equal(table.code, 0);
      const rows = lines(table.stdout);
      t.equal(rows.length, 5, 'a header line and a row per container');
      t.match(rows[0], /\bNAMES$/, 'the header names the columns');
      t.same(rows.slice(1).map((r) => r.split(/\s+/)), lines(ids).map((id, i) => [id, ['p-new', 'p-exit3', 'p-run', 'p-old'][i]]), 'rows: id, name');
      const col = rows[0]!.indexOf('NAMES');
      t.ok(rows.slice(1).every((r) => r.indexOf('p-') === col), 'aligned columns');
      t.match(rows[0], /^CONTAINER ID\s+NAMES$/, 'the header of {{.ID}} is CONTAINER ID, as docker\'s and podman\'s');

      const json = await h.run(['ps', '-a', '--format', 'json']);
      t.equal(json.code, 0);
      const parsed = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      t.equal(parsed.length, 4, '--format json: an array of every container');
      const prun = parsed.find((c) => c.Names === 'p-run' || (Array.isArray(c.Names) && c.Names.includes('p-run')));
      t.ok(prun, 'with its name');
      t.equal(prun?.State, 'running');
      t.equal(String(prun?.ID ?? prun?.Id).slice(0, 12), lines(running.stdout)[0]);

      t.equal((await h.run(['exec', 'p-run', 'dd', 'if=/dev/zero', 'of=/big', 'bs=1024', 'count=300'])).code, 0);
      const sized = await h.run(['ps', '-s']);
      t.equal(sized.code, 0);
      t.match(lines(sized.stdout)[0], /\bNAMES\s+SIZE$/, '-s: a SIZE column');
      const size = await h.run(['ps', '-s', '--format', '{{.Names}} {{.Size}}']);
      const m = /^p-run ([\d.]+)(B|kB|MB|GB)\n$/.exec(size.stdout);
      t.ok(m, `--format {{.Size}}: ${size.stdout}`);
      const bytes = Number(m?.[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[(m?.[2] ?? 'B') as 'B'];
      t.ok(bytes >= 300_000, `the 300 KiB written are counted (${size.stdout.trim()})`);
      const withoutS = await h.run(['ps']);
      t.notMatch(lines(withoutS.stdout)[0], /SIZE/, 'no SIZE without -s');
      await rmAll(t);
    });

    t.test('generated names; unique id prefixes work, ambiguous or unknown ones fail with 125', async (t) => {
      for (let i = 0; i < 6; i++) t.equal((await h.run(['create', 'busybox', 'true'])).code, 0);
      const run = await h.run(['run', '-d', 'busybox', 'sh', '-c', 'echo from-prefix; sleep 600']);
      t.equal(run.code, 0);
      const generated = await names('-a');
      t.equal(generated.length, 7);
      for (const n of generated) t.match(n, /^[a-z]+_[a-z]+$/, `docker's adjective_surname: ${n}`);
      t.equal(new Set(generated).size, 7, 'all different');
      // Until two ids start alike (at most 17 containers for 16 hex digits).
      const firstChars = async () => lines((await h.run(['ps', '-aq', '--no-trunc'])).stdout).map((i) => i[0]!);
      let firsts = await firstChars();
      while (new Set(firsts).size === firsts.length) {
        t.equal((await h.run(['create', 'busybox', 'true'])).code, 0);
        firsts = await firstChars();
      }
      const ambiguous = firsts.find((c, i) => firsts.indexOf(c) !== i)!;
      const allIds = lines((await h.run(['ps', '-aq', '--no-trunc'])).stdout);
      const runId = run.stdout.trim();
      // The shortest prefix of runId no other id starts with.
      let n = 1;
      while (allIds.some((i) => i !== runId && i.startsWith(runId.slice(0, n)))) n++;
      const prefix = runId.slice(0, n);
      const unknown = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).find((p) => !allIds.some((id) => id.startsWith(p)))!;

      t.equal(await inspect(prefix, '{{.Id}}'), runId, `inspect ${prefix}: a unique prefix`);
      const logs = await h.run(['logs', prefix]);
      t.same([logs.code, logs.stdout], [0, 'from-prefix\n'], `logs ${prefix}`);
      for (const cmd of ['inspect', 'logs', 'stop', 'rm']) {
        for (const which of [ambiguous, unknown]) {
          const r = await h.run([cmd, which]);
          // podman's rm says 1 for a container that does not exist.
          const code = cmd === 'rm' && which === unknown ? 1 : 125;
          t.equal(r.code, code, `${cmd} ${which}: ${which === ambiguous ? 'ambiguous' : 'unknown'}`);
          t.match(r.stderr, new RegExp(`"?${which}"?`), 'the error names it');
          t.equal(lines(r.stderr).length, 1, 'in one line');
          if (which === ambiguous) {
            t.match(r.stderr, /multiple|ambiguous|more than one/i, 'and says the prefix is ambiguous');
          }
        }
      }
      t.equal(allIds.length, lines((await h.run(['ps', '-aq'])).stdout).length, 'nothing was removed by them');
      const stop = await h.run(['stop', '-t', '1', prefix]);
      t.equal(stop.code, 0, `stop ${prefix}`);
      t.equal(await inspect(prefix, '{{.State.Status}}'), 'exited');
      const rm = await h.run(['rm', prefix]);
      t.equal(rm.code, 0, `rm ${prefix}`);
      t.notOk(lines((await h.run(['ps', '-aq', '--no-trunc'])).stdout).includes(runId), 'removed');
      await rmAll(t);
    });

    t.test('run -it: ctrl-p ctrl-q detaches; attach; exit code through attach', async (t) => {
      const run = terminal(h, ['run', '-it', '--name', 'x', 'busybox', 'sh']);
      t.ok(await waitFor(() => PROMPT.test(run.stdout()), 30_000), `a shell prompt: ${JSON.stringify(run.stdout())}`);
      run.type('echo hi-$((40+2))\n');
      t.ok(await waitFor(() => /hi-42/.test(run.stdout()), 30_000), 'the command ran');
      run.type('\x10\x11');
      const code = await within(run, 30_000);
      run.child.stdin!.end();
      t.equal(code, 0, 'detaching ends the session with 0');
      t.match(await status('x'), /^Up/, 'the container still runs');
      t.same(await names(), ['x'], 'ps lists it');

      const a1 = terminal(h, ['attach', 'x']);
      a1.type('echo back-$((1+1))\n');
      t.ok(await waitFor(() => /back-2/.test(a1.stdout()), 30_000), `attach: our input reaches the shell: ${JSON.stringify(a1.stdout())}`);
      a1.type('\x10\x11');
      const a1code = await within(a1, 30_000);
      a1.child.stdin!.end();
      t.equal(a1code, 0, 'attach: ctrl-p ctrl-q detaches too');
      t.match(await status('x'), /^Up/, 'still running');

      const a2 = terminal(h, ['attach', 'x']);
      a2.type('echo again-$((2+1))\n');
      t.ok(await waitFor(() => /again-3/.test(a2.stdout()), 30_000), 'attached again');
      a2.type('exit 3\n');
      const a2code = await within(a2, 30_000);
      a2.child.stdin!.end();
      t.equal(a2code, 3, 'attach ends with the container\'s exit code');
      t.match(await status('x'), /^Exited \(3\)/);
    });

    t.test('--detach-keys ctrl-a,d', async (t) => {
      const run = terminal(h, ['run', '-it', '--detach-keys', 'ctrl-a,d', '--name', 'y', 'busybox', 'sh']);
      t.ok(await waitFor(() => PROMPT.test(run.stdout()), 30_000), 'a shell prompt');
      run.type('echo hi-$((40+2))\n');
      t.ok(await waitFor(() => /hi-42/.test(run.stdout()), 30_000), 'the command ran');
      run.type('\x10\x11');
      // ctrl-u: the shell clears what ctrl-p put on its line. Typed after ctrl-p
      // ctrl-q: had they detached, husk would be gone before passing it on.
      run.type('\x15echo still-$((5+5))\n');
      t.ok(await waitFor(() => /still-10/.test(run.stdout()), 30_000), 'they went to the shell, and the session goes on');
      t.notOk(run.done(), 'ctrl-p ctrl-q no longer detaches');
      run.type('\x01d');
      const code = await within(run, 30_000);
      run.child.stdin!.end();
      t.equal(code, 0, 'ctrl-a d does');
      t.match(await status('y'), /^Up/, 'the container still runs');
      const a = terminal(h, ['attach', '--detach-keys', 'ctrl-a,d', 'y']);
      a.type('echo attached-$((3+4))\n');
      t.ok(await waitFor(() => /attached-7/.test(a.stdout()), 30_000), 'attach --detach-keys');
      a.type('\x01d');
      const acode = await within(a, 30_000);
      a.child.stdin!.end();
      t.equal(acode, 0, 'detached');
      t.match(await status('y'), /^Up/);
      await rmAll(t);
    });

    t.test('--detach-keys with a bad value: 125 and nothing created', async (t) => {
      const r = await h.run(['run', '--name', 'dk', '--detach-keys', 'ctrl-1', 'busybox', 'true']);
      t.equal(r.code, 125);
      t.match(r.stderr, /invalid detach keys "ctrl-1"/);
      t.equal(lines(r.stderr).length, 1);
      t.same(await names('-a'), [], 'no container left behind');
      await rmAll(t);
    });

    t.test('attach to a stopped, created or missing container: 125', async (t) => {
      t.equal((await h.run(['run', '--name', 'done', 'busybox', 'true'])).code, 0);
      const stopped = await h.run(['attach', 'done']);
      t.equal(stopped.code, 125);
      t.match(stopped.stderr, /can only attach to running containers: done is exited/);
      t.equal(lines(stopped.stderr).length, 1);
      t.equal((await h.run(['create', '--name', 'fresh', 'busybox', 'true'])).code, 0);
      const created = await h.run(['attach', 'fresh']);
      t.equal(created.code, 125);
      t.match(created.stderr, /fresh is created/);
      const missing = await h.run(['attach', 'nosuch']);
      t.equal(missing.code, 125);
      t.match(missing.stderr, /no container with name or ID "nosuch" found/);
      const badKeys = await h.run(['attach', '--detach-keys', 'ctrl-1', 'done']);
      t.equal(badKeys.code, 125);
      t.match(badKeys.stderr, /invalid detach keys "ctrl-1"/);
      await rmAll(t);
    });

    t.test('run --sig-proxy: SIGTERM to husk reaches the container; --sig-proxy=false leaves it running', async (t) => {
      const script = 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done';
      const fg = watch(h.spawn(['run', '--name', 'proxied', 'busybox', 'sh', '-c', script]));
      t.ok(await waitFor(() => fg.stdout().includes('ready\n'), 30_000), 'the container runs in the foreground');
      const pid = huskPid(fg.child);
      t.ok(pid, 'the husk process');
      process.kill(pid!, 'SIGTERM');
      const code = await within(fg, 30_000);
      t.equal(code, 7, 'husk exits with the container\'s exit code');
      t.equal(fg.stdout(), 'ready\ngot TERM\n', 'the container got SIGTERM');
      t.match(await status('proxied'), /^Exited \(7\)/);

      // The same, with a heartbeat to wait on after husk is gone.
      const beating = `trap "echo got TERM; exit 7" TERM; echo ready; ${HEARTBEAT}`;
      const bg = watch(h.spawn(['run', '--sig-proxy=false', '--name', 'unproxied', 'busybox', 'sh', '-c', beating]));
      t.ok(await waitFor(() => bg.stdout().includes('ready\n'), 30_000), 'running');
      const pid2 = huskPid(bg.child);
      t.ok(pid2, 'the husk process');
      process.kill(pid2!, 'SIGTERM');
      t.not(await within(bg, 30_000), undefined, 'husk itself dies of it');
      // A TERM passed on would have run the trap (exit 7) before the next beat.
      t.ok(await h.beatsOn('unproxied'), 'the container went on beating after husk died');
      t.match(await status('unproxied'), /^Up/, 'the container keeps running');
      t.notMatch((await h.run(['logs', 'unproxied'])).stdout, /got TERM/, 'it never saw the signal');
      t.equal((await h.run(['stop', 'unproxied'])).code, 0);
      const w = await h.run(['wait', 'unproxied']);
      t.equal(w.stdout, '7\n', 'its trap works: it was the signal that was not passed on');
      await rmAll(t);
    });

    t.test('top: columns, descriptors, pids as the container sees them', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'tp', 'busybox', 'sh', '-c', 'sleep 987655 & wait'])).code, 0);
      t.ok(await waitFor(() => Husk.pidsOf('sleep', '987655').length === 1, 30_000), 'the child runs');
      const top = await h.run(['top', 'tp']);
      t.equal(top.code, 0, top.stderr);
      t.same(lines(top.stdout)[0]!.trim().split(/\s+/), ['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND'], 'docker\'s default columns');
      t.equal(lines(top.stdout).length, 3, 'a header, the shell and its child');
      const cells = lines(top.stdout).slice(1).map((l) => l.trim().split(/\s+/));
      const init = cells.find((c) => c[1] === '1');
      t.ok(init, 'PID 1 is there');
      t.same([init?.[0], init?.[2], init?.[5]], ['root', '0', '?'], 'root, no parent inside, no terminal');
      t.match(lines(top.stdout).find((l) => /\s1\s/.test(l)), /sh -c sleep 987655 & wait$/, 'PID 1 is the container\'s command');
      const child = cells.find((c) => c[1] !== '1');
      t.equal(child?.[2], '1', 'the child\'s parent is PID 1');
      t.match(lines(top.stdout).find((l) => /sleep 987655$/.test(l)), /^root\s/, 'sleep 987655, as root inside');
      t.ok(Number(child?.[1]) < 100, 'a pid of the container\'s namespace');

      const d = await h.run(['top', 'tp', 'pid', 'user', 'comm', 'hpid']);
      t.equal(d.code, 0);
      const dl = lines(d.stdout).map((l) => l.trim().split(/\s+/));
      t.same(dl[0], ['PID', 'USER', 'COMMAND', 'HPID'], 'descriptors pick the columns');
      const hostInit = Number(await inspect('tp', '{{.State.Pid}}'));
      t.same(dl[1], ['1', 'root', 'sh', String(hostInit)], 'PID 1 and its host pid (.State.Pid)');
      t.same(dl[2]?.slice(0, 3), [child?.[1], 'root', 'sleep']);
      t.same([Number(dl[2]?.[3])], Husk.pidsOf('sleep', '987655'), 'hpid: the pid on the host');
      const ef = await h.run(['top', 'tp', '-ef']);
      t.same(lines(ef.stdout)[0]!.trim().split(/\s+/), ['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND'], 'top tp -ef: the default columns');
      const bad = await h.run(['top', 'tp', 'bogus']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /unknown top descriptor "bogus"/);

      t.equal((await h.run(['stop', '-t', '1', 'tp'])).code, 0);
      const stopped = await h.run(['top', 'tp']);
      t.equal(stopped.code, 125, 'top of a stopped container');
      t.match(stopped.stderr, /top can only be used on running containers: tp is exited/);
      const missing = await h.run(['top', 'nosuch']);
      t.equal(missing.code, 125);
    });

    t.test('port: no published ports', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'pt', 'busybox', 'sleep', '600'])).code, 0);
      const none = await h.run(['port', 'pt']);
      t.same([none.code, none.stdout, none.stderr], [0, '', ''], 'port pt: nothing');
      const p80 = await h.run(['port', 'pt', '80']);
      t.equal(p80.code, 125, 'port pt 80');
      t.equal(p80.stdout, '');
      t.match(p80.stderr, /no public port '80\/tcp' published for pt/);
      const udp = await h.run(['port', 'pt', '53/udp']);
      t.equal(udp.code, 125);
      t.match(udp.stderr, /no public port '53\/udp'/);
      const bad = await h.run(['port', 'pt', 'http']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid port "http"/);
      const missing = await h.run(['port', 'nosuch']);
      t.equal(missing.code, 125);
      t.match(missing.stderr, /no container with name or ID "nosuch" found/);
      await rmAll(t);
    });

    t.test('healthcheck run: starting, unhealthy, healthy, by hand', async (t) => {
      const r = await h.run(['run', '-d', '--name', 'slow', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '10m', '--health-retries', '1', 'busybox', 'sleep', '600']);
      t.equal(r.code, 0, r.stderr);
      t.match(await status('slow'), /^Up .* \(health: starting\)$/, 'ps: (health: starting) before the first check');
      t.equal(await inspect('slow', '{{.State.Health.Status}}'), 'starting');
      const fail = await h.run(['healthcheck', 'run', 'slow']);
      t.same([fail.code, fail.stdout], [1, 'unhealthy\n'], 'a failing check: 1, unhealthy');
      t.match(await status('slow'), /^Up .* \(unhealthy\)$/);
      t.equal(await inspect('slow', '{{.State.Health.Status}} {{.State.Health.FailingStreak}}'), 'unhealthy 1');
      t.equal((await h.run(['exec', 'slow', 'touch', '/tmp/ok'])).code, 0);
      const ok = await h.run(['healthcheck', 'run', 'slow']);
      t.same([ok.code, ok.stdout], [0, ''], 'a passing check: 0, silent');
      t.match(await status('slow'), /^Up .* \(healthy\)$/);
      t.equal(await inspect('slow', '{{.State.Health.Status}} {{.State.Health.FailingStreak}}'), 'healthy 0');
      t.equal((await h.run(['ps', '--filter', 'name=slow', '--format', '{{.Health}}'])).stdout, 'healthy\n');
      const none = await h.run(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '600']);
      t.equal(none.code, 0);
      const nohc = await h.run(['healthcheck', 'run', 'plain']);
      t.equal(nohc.code, 125, 'a container without a healthcheck');
      t.match(nohc.stderr, /no healthcheck/);
      t.match(await status('plain'), /^Up [^(]*$/, 'ps: no health for it');
      await rmAll(t);
    });

    t.test('healthchecks run by the monitor: (health: starting), (unhealthy), (healthy); wait --condition healthy', async (t) => {
      const r = await h.run(['run', '-d', '--name', 'hc', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '600']);
      t.equal(r.code, 0, r.stderr);
      const first = await status('hc');
      t.match(first, /^Up .* \((health: starting|unhealthy)\)$/, `at first: ${first}`);
      t.ok(await waitFor(async () => /\(unhealthy\)$/.test(await status('hc')), 60_000), 'ps: (unhealthy) after two failed checks');
      t.equal(await inspect('hc', '{{.State.Health.Status}}'), 'unhealthy');
      t.ok(Number(await inspect('hc', '{{.State.Health.FailingStreak}}')) >= 2, 'FailingStreak');
      t.equal(await inspect('hc', '{{(index .State.Health.Log 0).ExitCode}}'), '1', 'the checks\' log');
      const check = await h.run(['healthcheck', 'run', 'hc']);
      t.same([check.code, check.stdout], [1, 'unhealthy\n'], 'healthcheck run: 1, unhealthy');
      // HUSK_TRACE: wait says (on stderr) when it has parsed its arguments and starts looking.
      const waiting = watch(h.spawn(['wait', '--condition', 'healthy', 'hc'], { env: { HUSK_TRACE: '1' } }));
      t.ok(await waitFor(() => /cli: parsed/.test(waiting.stderr()) || waiting.done(), 30_000), 'wait has started looking');
      // Two more failed checks: a second of them at least, in which wait looked again and again.
      const streak = async () => Number(await inspect('hc', '{{.State.Health.FailingStreak}}'));
      const from = await streak();
      t.ok(await waitFor(async () => (await streak()) >= from + 2 || waiting.done(), 60_000), 'two more checks failed meanwhile');
      t.notOk(waiting.done(), 'wait --condition healthy waits while unhealthy');
      t.equal((await h.run(['exec', 'hc', 'touch', '/tmp/ok'])).code, 0);
      t.equal(await within(waiting, 60_000), 0, 'and returns once healthy');
      t.equal(await inspect('hc', '{{.State.Health.Status}}'), 'healthy');
      t.ok(await waitFor(async () => /\(healthy\)$/.test(await status('hc')), 30_000), 'ps: (healthy)');
      const ok = await h.run(['healthcheck', 'run', 'hc']);
      t.same([ok.code, ok.stdout], [0, ''], 'healthcheck run: 0');
      await rmAll(t);
    });

    t.test('--no-healthcheck', async (t) => {
      const r = await h.run(['run', '-d', '--name', 'nohc', '--no-healthcheck', 'busybox', 'sleep', '600']);
      t.equal(r.code, 0, `run -d --no-healthcheck: ${r.stderr.trim()}`);
      if (r.code === 0) {
        t.match(await status('nohc'), /^Up [^(]*$/, 'no health in ps');
        const check = await h.run(['healthcheck', 'run', 'nohc']);
        t.equal(check.code, 125, 'no healthcheck to run');
        t.match(check.stderr, /no healthcheck/);
      }
      const both = await h.run(['run', '-d', '--no-healthcheck', '--health-cmd', 'true', 'busybox', 'true']);
      t.equal(both.code, 125);
      t.match(both.stderr, /--no-healthcheck and --health-cmd cannot be used together/, 'with --health-cmd: refused, saying why');
      await rmAll(t);
    });

    t.test('healthcheck flags with bad values: 125, nothing created', async (t) => {
      for (const [flags, message] of [
        [['--health-interval', 'bogus'], /invalid --health-interval "bogus"/],
        [['--health-retries', '0'], /invalid --health-retries "0"/],
        [['--health-interval', '0'], /invalid --health-interval "0"/],
        [['--health-timeout', 'soon'], /invalid --health-timeout "soon"/],
      ] as const) {
        const r = await h.run(['run', '-d', '--health-cmd', 'true', ...flags, 'busybox', 'sleep', '600']);
        t.equal(r.code, 125, flags.join(' '));
        t.match(r.stderr, message);
        t.equal(lines(r.stderr).length, 1, 'one line');
      }
      t.same(await names('-a'), [], 'refused options create nothing');
      const wc = await h.run(['wait', '--condition', 'healthyish', 'nosuch']);
      t.equal(wc.code, 125);
      t.match(wc.stderr, /invalid --condition "healthyish"/);
    });
  });
}
