// husk compose running the seeds' app, rootless and as root: a web service
// (busybox httpd) behind a healthcheck and a second service that fetches it
// by service name once web is healthy, with a named volume whose data
// survives down and up and goes with down -v; idempotent up, recreation of
// exactly the service whose config changed, --scale, profiles, a build, run,
// attached up with --exit-code-from, and bad projects refused. Traffic only
// to loopback and to the project's own network.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lines, modes, newHusk, waitFor, type Husk } from '../helpers/husk.js';
import { fetchText } from '../helpers/net.js';

// web starts its server a second late: a fetcher that did not wait for the healthcheck finds nothing.
const APP = `services:
  web:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo served-by-web > /www/index.html; sleep 1; httpd -p 80 -h /www; while :; do sleep 0.1; done"]
    ports: ["80"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/index.html"]
      interval: 300ms
      retries: 100
  fetcher:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; wget -q -O /data/fetched http://web/index.html; echo run >> /data/runs; while :; do sleep 0.1; done"]
    depends_on:
      web: {condition: service_healthy}
    environment:
      LEVEL: "\${LEVEL:-1}"
    volumes: [data:/data]
  debug:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
    profiles: [debug]
volumes:
  data: {}
`;

function writeProject(h: Husk, name: string, files: Record<string, string>): string {
  const dir = path.join(h.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  if (h.user) spawnChown(dir, h);
  return dir;
}

function spawnChown(dir: string, h: Husk): void {
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: false }) as string[]) fs.chownSync(path.join(dir, e), h.uid, h.gid);
  fs.chownSync(dir, h.uid, h.gid);
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    const dir = writeProject(h, 'shop', { 'compose.yaml': APP });
    const compose = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) => h.run(['compose', '--project-directory', dir, ...args], { timeoutMs: 120_000, ...opts });
    t.teardown(async () => {
      await compose(['--profile', 'debug', 'down', '-v', '-t', '0']);
      await h.cleanup();
    });
    await h.importBusybox();
    const ids = async (service?: string) => lines((await compose(['ps', '-q', '--no-trunc', ...(service ? [service] : [])])).stdout).sort();

    t.test('up -d: web healthy before fetcher starts, which reaches it by service name; the port is published', async (t) => {
      const up = await compose(['up', '-d']);
      t.equal(up.code, 0, up.stderr);
      t.match(up.stderr, /Network shop_default {2}Created/);
      t.match(up.stderr, /Volume "shop_data" {2}Created/);
      t.match(up.stderr, /Container shop-fetcher-1 {2}Started/);
      t.notMatch(up.stderr, /shop-debug/, 'a service of an inactive profile is not started');
      const ps = await compose(['ps', '--format', '{{.Name}} {{.Service}} {{.State}}']);
      t.same(lines(ps.stdout).sort(), ['shop-fetcher-1 fetcher running', 'shop-web-1 web running']);
      // up returns once fetcher started; its wget may still be under way.
      const fetched = await waitFor(async () => {
        const out = (await compose(['exec', '-T', 'fetcher', 'sh', '-c', 'cat /data/fetched 2>/dev/null'])).stdout;
        return out.includes('\n') ? out : undefined;
      }, 20_000);
      t.equal(fetched, 'served-by-web\n', 'fetched by service name, after the healthcheck passed');
      const port = await compose(['port', 'web', '80']);
      t.equal(port.code, 0, port.stderr);
      t.equal(await fetchText(Number(port.stdout.trim().split(':').pop())), 'served-by-web\n', 'the published port reaches web');
      const labels = await h.run(['inspect', 'shop-web-1', '--format', '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}}']);
      t.equal(labels.stdout, 'shop web 1\n', 'docker compose\'s labels');
    });

    t.test('up again changes nothing; a changed environment recreates only that service', async (t) => {
      const before = { web: await ids('web'), fetcher: await ids('fetcher') };
      const again = await compose(['up', '-d']);
      t.equal(again.code, 0, again.stderr);
      t.notMatch(again.stderr, /Recreate|Creating/);
      t.same({ web: await ids('web'), fetcher: await ids('fetcher') }, before, 'the same containers');
      const changed = await compose(['up', '-d'], { env: { LEVEL: '2' } });
      t.equal(changed.code, 0, changed.stderr);
      t.match(changed.stderr, /Container shop-fetcher-1 {2}Recreate/);
      t.same(await ids('web'), before.web, 'web kept');
      t.not((await ids('fetcher'))[0], before.fetcher[0], 'fetcher recreated');
      t.equal((await compose(['exec', '-T', 'fetcher', 'sh', '-c', 'echo $LEVEL'], { env: { LEVEL: '2' } })).stdout, '2\n');
    });

    t.test('--scale web=3: three containers, each reached by name', async (t) => {
      const up = await compose(['up', '-d', '--scale', 'web=3'], { env: { LEVEL: '2' } });
      t.equal(up.code, 0, up.stderr);
      t.equal((await ids('web')).length, 3);
      const probe = await compose(['exec', '-T', 'fetcher', 'sh', '-c', 'for n in 1 2 3; do wget -q -O - http://shop-web-$n/index.html || echo fail $n; done; wget -q -O - http://web/index.html'], { env: { LEVEL: '2' } });
      t.equal(probe.stdout, 'served-by-web\n'.repeat(4), probe.stderr);
      const down = await compose(['up', '-d', '--scale', 'web=1'], { env: { LEVEL: '2' } });
      t.equal(down.code, 0, down.stderr);
      t.equal((await ids('web')).length, 1, 'scaled back down');
    });

    t.test('down keeps the named volume, up finds its data, down -v removes it', async (t) => {
      const down = await compose(['down', '-t', '0']);
      t.equal(down.code, 0, down.stderr);
      t.same(await ids(), [], 'no containers');
      t.notMatch((await h.run(['network', 'ls'])).stdout, /shop_default/, 'the network is gone');
      t.match((await h.run(['volume', 'ls'])).stdout, /shop_data/, 'the volume stays');
      t.equal((await compose(['up', '-d'])).code, 0);
      const runs = await compose(['exec', '-T', 'fetcher', 'cat', '/data/runs']);
      t.equal(runs.stdout, 'run\nrun\nrun\n', 'the data of the earlier fetchers survived down');
      const gone = await compose(['down', '-v', '-t', '0']);
      t.equal(gone.code, 0, gone.stderr);
      t.notMatch((await h.run(['volume', 'ls'])).stdout, /shop_data/, 'down -v removed the volume');
    });

    t.test('profiles: --profile debug starts the service of that profile', async (t) => {
      const up = await compose(['--profile', 'debug', 'up', '-d', 'debug']);
      t.equal(up.code, 0, up.stderr);
      t.same(lines((await compose(['--profile', 'debug', 'ps', '--services'])).stdout), ['debug'], 'only the service named (it has no dependencies)');
      t.equal((await compose(['--profile', 'debug', 'down', '-t', '0'])).code, 0);
    });

    t.test('build from the compose file, then run --rm of it', async (t) => {
      const bdir = writeProject(h, 'built', {
        'compose.yaml': 'services:\n  tool:\n    build:\n      context: ./src\n      args: {WORD: compose-built}\n',
        'src/Dockerfile': 'FROM busybox\nARG WORD\nRUN echo $WORD > /word\nCMD ["cat", "/word"]\n',
      });
      const c = (args: string[]) => h.run(['compose', '--project-directory', bdir, ...args], { timeoutMs: 120_000 });
      t.teardown(() => c(['down', '--rmi', 'local', '-t', '0']));
      const build = await c(['build']);
      t.equal(build.code, 0, build.stderr);
      t.match((await h.run(['images', '--format', '{{.Repository}}'])).stdout, /built-tool/, 'the image is named <project>-<service>');
      const run = await c(['run', '--rm', '-T', 'tool']);
      t.equal(run.code, 0, run.stderr);
      t.equal(run.stdout, 'compose-built\n');
      t.same(lines((await c(['ps', '-a', '-q'])).stdout), [], '--rm removed the one-off container');
    });

    t.test('attached up: prefixed logs, --exit-code-from gives the service\'s exit code', async (t) => {
      const jdir = writeProject(h, 'jobs', {
        'compose.yaml': 'services:\n  job:\n    image: busybox\n    command: ["sh", "-c", "echo working; exit 3"]\n  side:\n    image: busybox\n    command: ["sh", "-c", "trap \'exit 0\' TERM; while :; do sleep 0.1; done"]\n',
      });
      const c = (args: string[]) => h.run(['compose', '--project-directory', jdir, ...args], { timeoutMs: 120_000 });
      t.teardown(() => c(['down', '-t', '0']));
      const up = await c(['up', '--exit-code-from', 'job']);
      t.equal(up.code, 3, up.stderr);
      t.match(up.stdout, /^job-1 +\| working$/m);
      t.match(up.stderr, /jobs-job-1 exited with code 3/);
      await waitFor(async () => (await c(['ps', '-q'])).stdout === '' || undefined);
      t.pass('the other service was stopped');
    });

    t.test('Ctrl-C on an attached up stops the project gracefully; a second Ctrl-C kills what is left', async (t) => {
      const cdir = writeProject(h, 'ctrlc', {
        'compose.yaml': `services:
  polite:
    image: busybox
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.1; done"]
  stubborn:
    image: busybox
    command: ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"]
    stop_grace_period: 5m
`,
      });
      const c = (args: string[]) => h.run(['compose', '--project-directory', cdir, ...args], { timeoutMs: 120_000 });
      t.teardown(() => c(['down', '-t', '0']));
      const up = h.spawn(['compose', '--project-directory', cdir, 'up']);
      let out = '';
      up.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      up.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => up.on('exit', (code) => r(code)));
      await waitFor(() => ((out.match(/\| ready/g) ?? []).length === 2 ? true : undefined), 60_000);
      process.kill(-up.pid!, 'SIGINT');
      await waitFor(() => (/polite-1 exited with code 0/.test(out) ? true : undefined), 60_000);
      t.match(out, /Gracefully stopping/);
      t.match(out, /polite-1 +\| bye/, 'the polite service got its stop signal');
      process.kill(-up.pid!, 'SIGINT');
      t.equal(await exited, 130, 'up ends as interrupted');
      t.match(out, /ctrlc-stubborn-1 exited with code 137/, 'the second Ctrl-C killed the one that ignored SIGTERM (its grace period is 5 minutes)');
      t.same(lines((await c(['ps', '-q'])).stdout), [], 'nothing runs');
    });

    t.test('secrets, configs, warnings for what husk does not do, and the verbs on a running project', async (t) => {
      const odir = writeProject(h, 'ops', {
        'compose.yaml': `services:
  app:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; echo started; while :; do sleep 0.1; done"]
    secrets: [token]
    configs:
      - source: settings
        target: /etc/app.conf
    sysctls: {net.core.somaxconn: "1024"}
    deploy:
      placement: {constraints: [node.role == manager]}
secrets:
  token: {file: ./token.txt}
configs:
  settings: {content: "level=\${LEVEL:-3}"}
`,
        'token.txt': 's3cret\n',
      });
      const c = (args: string[]) => h.run(['compose', '--project-directory', odir, ...args], { timeoutMs: 120_000 });
      t.teardown(() => c(['down', '-t', '0']));
      const up = await c(['up', '-d']);
      t.equal(up.code, 0, up.stderr);
      t.match(up.stderr, /WARN: service "app": sysctls is not supported by husk and is ignored/, 'an unsupported key is named');
      t.match(up.stderr, /deploy\.placement' is not supported/);
      const inside = await c(['exec', '-T', 'app', 'sh', '-c', 'cat /run/secrets/token /etc/app.conf']);
      t.equal(inside.stdout, 's3cret\nlevel=3', 'the secret from its file, the config from its content');

      t.match((await c(['logs', 'app'])).stdout, /^app-1 +\| started$/m);
      t.match((await c(['top'])).stdout, /^ops-app-1\n.*PID/m);
      t.match((await c(['images'])).stdout, /ops-app-1 +localhost\/busybox +latest/);
      t.match((await h.run(['compose', 'ls'])).stdout, /^ops +running\(1\) +\S*compose\.yaml$/m);
      const host = h.writeFile('from-host.txt', 'copied\n');
      t.equal((await c(['cp', host, 'app:/tmp/in.txt'])).code, 0);
      t.equal((await c(['exec', '-T', 'app', 'cat', '/tmp/in.txt'])).stdout, 'copied\n', 'cp SERVICE:PATH');
      const stop = await c(['stop']);
      t.match(stop.stderr, /Container ops-app-1 {2}Stopped/);
      t.same(lines((await c(['ps', '--status', 'exited', '--format', '{{.Name}}'])).stdout), ['ops-app-1']);
      t.equal((await c(['start'])).code, 0);
      t.same(lines((await c(['ps', '--format', '{{.Name}} {{.State}}'])).stdout), ['ops-app-1 running']);
      t.equal((await c(['kill', '-s', 'KILL'])).code, 0);
      t.equal((await c(['wait', 'app'])).stdout, '137\n', 'wait gives the exit code');
      t.equal((await c(['rm', '-f'])).code, 0);
      t.same(lines((await c(['ps', '-a', '-q'])).stdout), [], 'rm removed the stopped container');
    });

    t.test('--wait, depends_on with restart: true, and a service that fails to start named', async (t) => {
      const loop = `["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]`;
      const wdir = writeProject(h, 'waits', {
        'compose.yaml': `services:
  db:
    image: busybox
    command: ${loop}
    healthcheck: {test: ["CMD", "sh", "-c", "sleep 1"], interval: 300ms}
  app:
    image: busybox
    command: ${loop}
    depends_on:
      db: {condition: service_started, restart: true}
  broken:
    image: busybox
    command: ["/no/such/program"]
    profiles: [broken]
`,
      });
      const c = (args: string[]) => h.run(['compose', '--project-directory', wdir, ...args], { timeoutMs: 120_000 });
      t.teardown(() => c(['--profile', 'broken', 'down', '-t', '0']));
      const up = await c(['up', '-d', '--wait']);
      t.equal(up.code, 0, up.stderr);
      t.match((await c(['ps', 'db', '--format', '{{.Status}}'])).stdout, /\(healthy\)/, '--wait returned once db was healthy (its check takes a second)');
      const started = async (name: string) => (await h.run(['inspect', name, '--format', '{{.State.StartedAt}}'])).stdout;
      const before = await started('waits-app-1');
      t.equal((await c(['restart', '--no-deps', 'db'])).code, 0);
      t.equal(await started('waits-app-1'), before, '--no-deps: app left alone');
      const restart = await c(['restart', 'db']);
      t.equal(restart.code, 0, restart.stderr);
      t.match(restart.stderr, /Container waits-app-1 {2}Restarting/);
      t.not(await started('waits-app-1'), before, 'app restarted with the db it depends on (restart: true)');
      const broken = await c(['--profile', 'broken', 'up', '-d', 'broken']);
      t.not(broken.code, 0);
      t.match(broken.stderr, /^Error: service "broken": .*\/no\/such\/program/m, 'the service named, and the cause');
    });

    t.test('a user network from a PATH without sbin (a user\'s): nft and nsenter are found anyway', async (t) => {
      const pdir = writeProject(h, 'plain', { 'compose.yaml': 'services:\n  a:\n    image: busybox\n    command: ["sleep", "60"]\n' });
      const env = { PATH: '/usr/bin:/bin' };
      const c = (args: string[]) => h.run(['compose', '--project-directory', pdir, ...args], { timeoutMs: 120_000, env });
      t.teardown(() => c(['down', '-t', '0']));
      const up = await c(['up', '-d']);
      t.equal(up.code, 0, up.stderr);
      t.same(lines((await c(['ps', '--format', '{{.Name}} {{.State}}'])).stdout), ['plain-a-1 running']);
      const down = await c(['down', '-t', '0']);
      t.equal(down.code, 0, down.stderr);
    });

    t.test('deploy.resources.limits: as --memory and --pids-limit', async (t) => {
      const ldir = writeProject(h, 'lim', {
        'compose.yaml': 'services:\n  app:\n    image: busybox\n    command: ["sleep", "60"]\n    deploy:\n      resources: {limits: {memory: 64m, pids: 100}}\n',
      });
      const c = (args: string[]) => h.run(['compose', '--project-directory', ldir, ...args], { timeoutMs: 120_000 });
      t.teardown(() => c(['down', '-t', '0']));
      const up = await c(['up', '-d']);
      if (mode === 'rootless' && /cgroup v1/.test(up.stderr)) {
        // This host's cgroups cannot be delegated: rootless limits are refused, as run --memory refuses them.
        t.equal(up.code, 125, up.stderr);
        t.match(up.stderr, /resource limits cannot be set/);
        return;
      }
      t.equal(up.code, 0, up.stderr);
      const limits = await h.run(['inspect', 'lim-app-1', '--format', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}']);
      t.equal(limits.stdout, '67108864 100\n');
    });

    t.test('a recreated container keeps its anonymous volumes (docker compose\'s); -V renews them; down -v removes them', async (t) => {
      const file = 'services:\n  app:\n    image: busybox\n    command: ["sleep", "600"]\n    volumes: [/cache]\n';
      const c = (args: string[]) => h.run(['compose', '-p', 'anon', '-f', '-', ...args], { input: file, timeoutMs: 120_000 });
      const cache = async () => (await h.run(['exec', 'anon-app-1', 'sh', '-c', 'cat /cache/kept 2>/dev/null || echo none'])).stdout;
      t.equal((await c(['up', '-d'])).code, 0);
      t.equal((await h.run(['exec', 'anon-app-1', 'sh', '-c', 'echo data > /cache/kept'])).code, 0);
      const before = (await h.run(['inspect', 'anon-app-1', '--format', '{{.Id}}'])).stdout;
      const recreate = await c(['up', '-d', '--force-recreate', '-t', '0']);
      t.equal(recreate.code, 0, recreate.stderr);
      t.not((await h.run(['inspect', 'anon-app-1', '--format', '{{.Id}}'])).stdout, before, 'a new container');
      t.equal(await cache(), 'data\n', 'its anonymous volume came along');
      const renew = await c(['up', '-d', '--force-recreate', '-V', '-t', '0']);
      t.equal(renew.code, 0, renew.stderr);
      t.equal(await cache(), 'none\n', '-V: a new one');
      const volumesBefore = lines((await h.run(['volume', 'ls', '-q'])).stdout);
      t.equal((await c(['down', '-v', '-t', '0'])).code, 0);
      const volumesAfter = lines((await h.run(['volume', 'ls', '-q'])).stdout);
      t.equal(volumesBefore.length - volumesAfter.length, 1, 'down -v removed the one in use');
    });

    t.test('bad projects: one line, exit 125, nothing made', async (t) => {
      for (const [text, message] of [
        ['services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n', /dependency cycle detected: a -> b -> a/],
        ['services:\n  a:\n    command: ["true"]\n', /service "a" has neither an image nor a build context specified/],
        ['services:\n  a:\n    image: busybox\nnetwork:\n  x: {}\n', /network/],
        ['services:\n  a:\n    image: busybox\n    ports: ["80:80:80:80"]\n', /ports/],
      ] as const) {
        const r = await h.run(['compose', '-p', 'bad', '-f', '-', 'up', '-d'], { input: text });
        t.equal(r.code, 125, text);
        t.equal(lines(r.stderr).length, 1, `one line: ${r.stderr}`);
        t.match(r.stderr, message);
      }
      t.notMatch((await h.run(['network', 'ls'])).stdout, /bad_default/, 'no network was made');
      const missing = await h.run(['compose', '-p', 'bad', '-f', '-', 'up', '-d'], { input: 'services:\n  a:\n    image: localhost/no-such-image:1\n' });
      t.not(missing.code, 0);
      t.match(missing.stderr, /no-such-image/, 'the image that failed is named');
      await h.run(['compose', '-p', 'bad', '-f', '-', 'down'], { input: 'services:\n  a:\n    image: busybox\n' });
    });
  });
}
