// podman's flags of pod, kube, build, update, events, healthcheck and
// generate systemd, as root and rootless: each flag husk makes work shows its
// effect (a listing's order, a label, a file, the environment of a restarted
// container...), and a few refused ones fail with exit 125 and say why.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lines, modes, newHusk, type Husk } from '../helpers/husk.js';
import { fetchText, freePort } from '../helpers/net.js';

/** A file of the test's own, readable by the rootless user. */
function writeFile(h: Husk, name: string, content: string): string {
  const p = path.join(h.dir, 'files', name);
  fs.writeFileSync(p, content);
  fs.chownSync(p, h.uid, h.gid);
  return p;
}

const refused: Array<{ args: string[]; message: RegExp }> = [
  { args: ['pod', 'create', '--volume', '/tmp:/x'], message: /--volume is not supported: give it to each container/ },
  { args: ['pod', 'create', '--userns', 'keep-id'], message: /--userns is not supported: husk pods share no user namespace/ },
  { args: ['kube', 'play', '--annotation', 'a=b', '-'], message: /--annotation is not supported/ },
  { args: ['build', '--sign-by', 'ABCD', '.'], message: /--sign-by is not supported: husk signs no images/ },
  { args: ['build', '--manifest', 'list', '.'], message: /--manifest is not supported: husk has no manifest lists/ },
  { args: ['update', '--cpu-rt-period', '1000', 'x'], message: /--cpu-rt-period is not supported/ },
  { args: ['update', '--health-startup-cmd', 'true', 'x'], message: /--health-startup-cmd is not supported: husk has no startup healthchecks/ },
  { args: ['pod', 'inspect', '-l', 'somepod'], message: /--latest and arguments cannot be used together/ },
];

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(async () => {
      await h.run(['pod', 'rm', '-a', '-f', '-t', '0']);
      await h.run(['rm', '-a', '-f', '-t', '0']);
      await h.cleanup();
    });
    await h.importBusybox();

    t.test('refused flags: exit 125 and the reason', async (t) => {
      for (const { args, message } of refused) {
        const r = await h.run(args, { input: '' });
        t.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
        t.match(r.stderr, message, args.join(' '));
      }
    });

    t.test('pod create --label-file, pod ps -n --sort name and --ns, pod inspect -l', async (t) => {
      const labels = writeFile(h, 'labels', '# a comment\nteam=blue\n\nsize=big\n');
      for (const name of ['zeta', 'alpha']) {
        const r = await h.run(['pod', 'create', '--name', name, '--label-file', labels, '-l', 'size=small']);
        t.equal(r.code, 0, r.stderr);
      }
      t.equal((await h.run(['pod', 'inspect', 'alpha', '--format', '{{.Labels.team}} {{.Labels.size}}'])).stdout, 'blue small\n', 'the file, then -l over it');
      const sorted = await h.run(['pod', 'ps', '-n', '--sort', 'name']);
      t.equal(sorted.code, 0, sorted.stderr);
      t.same(lines(sorted.stdout).map((l) => l.split(/\s+/)[1]), ['alpha', 'zeta'], 'no header, by name');
      const created = await h.run(['pod', 'ps', '--noheading', '--format', '{{.Name}}']);
      t.same(lines(created.stdout), ['alpha', 'zeta'], 'newest first by default');
      t.same(lines((await h.run(['pod', 'ps', '--sort', 'name', '-n', '--format', '{{.Name}}'])).stdout), ['alpha', 'zeta']);
      const bad = await h.run(['pod', 'ps', '--sort', 'size']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid --sort "size"/);
      t.match(lines((await h.run(['pod', 'ps', '--ns'])).stdout)[0] ?? '', /CGROUP\s+NAMESPACES/);
      t.equal((await h.run(['pod', 'inspect', '-l', '--format', '{{.Name}}'])).stdout, 'alpha\n', 'the newest pod');
      t.same(lines((await h.run(['pod', 'ps', '-l', '--format', '{{.Name}}'])).stdout), ['alpha']);
    });

    t.test('pod logs -n names the lines by container; pod stop -l and pod rm -l take the newest pod', async (t) => {
      const run = await h.run(['run', '--pod', 'alpha', '--name', 'talker', 'busybox', 'echo', 'said-this']);
      t.equal(run.code, 0, run.stderr);
      t.same(lines((await h.run(['pod', 'logs', '-n', 'alpha'])).stdout), ['talker said-this']);
      t.match((await h.run(['pod', 'logs', '-l'])).stdout, /^[a-f0-9]{12} said-this\n$/, 'IDs without -n, the newest pod with -l');
      const stop = await h.run(['pod', 'stop', '-l', '-t', '0']);
      t.equal(stop.code, 0, stop.stderr);
      const rm = await h.run(['pod', 'rm', '-l']);
      t.equal(rm.code, 0, rm.stderr);
      t.same(lines((await h.run(['pod', 'ps', '--format', '{{.Name}}'])).stdout), ['zeta'], 'alpha is gone');
    });

    t.test('pod clone: new labels and hostname, --start, --destroy', async (t) => {
      const clone = await h.run(['pod', 'clone', '--name', 'zeta2', '-l', 'extra=1', '-h', 'clonehost', '--start', '--destroy', 'zeta']);
      t.equal(clone.code, 0, clone.stderr);
      t.equal((await h.run(['pod', 'inspect', 'zeta2', '--format', '{{.Labels.team}} {{.Labels.extra}} {{.Hostname}} {{.State}}'])).stdout, 'blue 1 clonehost Running\n');
      t.equal((await h.run(['pod', 'exists', 'zeta'])).code, 1, '--destroy removed the original');
      await h.run(['pod', 'rm', '-f', '-t', '0', 'zeta2']);
    });

    t.test('kube play -q, --no-pod-prefix, --publish-all, kube generate -r', async (t) => {
      const port = await freePort();
      const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: kp
spec:
  containers:
  - name: web
    image: localhost/busybox:latest
    command: ["sh", "-c", "mkdir -p /www; echo kube-served > /www/index.html; httpd -f -p ${port} -h /www"]
    ports:
    - containerPort: ${port}
`;
      const play = await h.run(['kube', 'play', '-q', '--no-pod-prefix', '--publish-all', '-'], { input: yaml });
      t.equal(play.code, 0, play.stderr);
      t.equal(play.stdout, '', '-q: no IDs');
      t.equal((await h.run(['inspect', 'web', '--format', '{{.Name}}'])).code, 0, 'the container is named web, not kp-web');
      let body = '';
      for (let i = 0; i < 50 && body === ''; i++) body = await fetchText(port).catch(async () => (await new Promise((r) => setTimeout(r, 100)), ''));
      t.equal(body, 'kube-served\n', 'the containerPort published at the same host port');
      const gen = await h.run(['kube', 'generate', '--type', 'deployment', '-r', '3', 'kp']);
      t.equal(gen.code, 0, gen.stderr);
      t.match(gen.stdout, /replicas: 3\n/);
      const down = await h.run(['kube', 'play', '--down', '-q', '-'], { input: yaml });
      t.equal(down.code, 0, down.stderr);
      t.equal(down.stdout, '');
    });

    t.test('kube play -w stays until the containers exit, then removes the pod', async (t) => {
      const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: job\n    image: localhost/busybox:latest\n    command: ["sh", "-c", "sleep 1; echo done"]\n';
      const play = await h.run(['kube', 'play', '-w', '-'], { input: yaml, timeoutMs: 30_000 });
      t.equal(play.code, 0, play.stderr);
      t.match(play.stdout, /Pods removed:\n[a-f0-9]{64}/, 'kube down ran at the end');
      t.equal((await h.run(['pod', 'exists', 'once'])).code, 1, 'the pod is gone');
    });

    t.test('build: --env, --unsetlabel, --dns, --cap-drop, --iidfile-raw, --metadata-file, --logfile, --source-date-epoch', async (t) => {
      const ctxDir = path.join(h.dir, 'files', 'ctx');
      fs.mkdirSync(ctxDir);
      fs.writeFileSync(path.join(ctxDir, 'Containerfile'), 'FROM localhost/busybox:latest\nLABEL gone=yes kept=yes\nARG SOURCE_DATE_EPOCH\nRUN grep -q 192.0.2.53 /etc/resolv.conf && grep CapEff /proc/self/status && echo "epoch=$SOURCE_DATE_EPOCH"\n');
      fs.chownSync(ctxDir, h.uid, h.gid);
      fs.chownSync(path.join(ctxDir, 'Containerfile'), h.uid, h.gid);
      const raw = path.join(h.dir, 'files', 'iid');
      const meta = path.join(h.dir, 'files', 'meta.json');
      const log = path.join(h.dir, 'files', 'build.log');
      const r = await h.run(['build', '-t', 'made', '--env', 'FROM_FLAG=1', '--unsetlabel', 'gone', '--dns', '192.0.2.53', '--cap-drop', 'ALL', '--source-date-epoch', '0',
        '--iidfile-raw', raw, '--metadata-file', meta, '--logfile', log, ctxDir]);
      t.equal(r.code, 0, `${r.stderr}${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
      const id = fs.readFileSync(raw, 'utf8');
      t.match(id, /^[a-f0-9]{64}$/, 'the ID without sha256:');
      t.equal(r.stdout, `${id}\n`, 'the steps went to the log file');
      const logged = fs.readFileSync(log, 'utf8');
      t.match(logged, /CapEff:\s+0000000000000000/, '--cap-drop ALL in the RUN step');
      t.match(logged, /epoch=0/, '--source-date-epoch is the ARG too');
      t.equal(JSON.parse(fs.readFileSync(meta, 'utf8'))['containerimage.config.digest'], `sha256:${id}`);
      const inspect = await h.run(['image', 'inspect', 'made', '--format', '{{.Config.Env}} {{.Config.Labels}} {{.Created}}']);
      t.match(inspect.stdout, /FROM_FLAG=1/);
      t.match(inspect.stdout, /kept:yes/);
      t.notMatch(inspect.stdout, /gone:/, '--unsetlabel');
      t.match(inspect.stdout, /1970-01-01/, 'dated by --source-date-epoch');
    });

    t.test('update -e, --unsetenv, --ulimit from the next start; the healthcheck flags and --no-healthcheck', async (t) => {
      const c = await h.run(['run', '-d', '--name', 'upd', '-e', 'OLD=1', '--health-cmd', 'exit 1', 'busybox', 'sh', '-c', 'echo "$NEW/${OLD:-unset}"; ulimit -n; sleep 600']);
      t.equal(c.code, 0, c.stderr);
      const u = await h.run(['update', '-e', 'NEW=yes', '--unsetenv', 'OLD', '--ulimit', 'nofile=100:200', 'upd']);
      t.equal(u.code, 0, u.stderr);
      t.equal((await h.run(['restart', '-t', '0', 'upd'])).code, 0);
      let out: string[] = [];
      for (let i = 0; i < 50 && !out.includes('100'); i++) {
        out = lines((await h.run(['logs', 'upd'])).stdout);
        if (!out.includes('100')) await new Promise((r) => setTimeout(r, 100));
      }
      t.equal(out[0], '/1', 'the first run had the old environment');
      t.same(out.slice(-2), ['yes/unset', '100'], 'the restart has the new one and the new limit');
      t.match((await h.run(['inspect', 'upd', '--format', '{{.Config.Env}}'])).stdout, /NEW=yes/);
      const failing = await h.run(['healthcheck', 'run', 'upd']);
      t.equal(failing.code, 1);
      const ignored = await h.run(['healthcheck', 'run', '--ignore-result', 'upd']);
      t.equal(ignored.code, 0, '--ignore-result');
      t.match(ignored.stdout, /^(starting|unhealthy)\n$/, 'the status is still printed');
      t.equal((await h.run(['update', '--health-cmd', 'exit 0', '-l'])).code, 0, '-l: the newest container');
      t.equal((await h.run(['healthcheck', 'run', 'upd'])).code, 0, 'the new healthcheck passes');
      t.equal((await h.run(['update', '--no-healthcheck', 'upd'])).code, 0);
      const none = await h.run(['healthcheck', 'run', 'upd']);
      t.not(none.code, 0);
      t.match(none.stderr, /no healthcheck/);
    });

    t.test('events --no-trunc=false, generate systemd --stop-timeout', async (t) => {
      const whole = await h.run(['events', '--stream=false', '--filter', 'container=upd', '--filter', 'event=create']);
      t.match(whole.stdout, / container create [a-f0-9]{64} /);
      const short = await h.run(['events', '--stream=false', '--no-trunc=false', '--filter', 'container=upd', '--filter', 'event=create']);
      t.match(short.stdout, / container create [a-f0-9]{12} \(/);
      const byTime = await h.run(['generate', 'systemd', '--no-header', '--time', '33', 'upd']);
      const byStop = await h.run(['generate', 'systemd', '--no-header', '--stop-timeout', '33', 'upd']);
      t.equal(byStop.code, 0, byStop.stderr);
      t.equal(byStop.stdout, byTime.stdout, '--stop-timeout is --time');
      t.match(byStop.stdout, /TimeoutStopSec=/);
      t.not(byStop.stdout, (await h.run(['generate', 'systemd', '--no-header', 'upd'])).stdout, 'and it changes the unit');
    });
  });
}
