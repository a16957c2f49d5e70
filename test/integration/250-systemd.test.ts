// husk and systemd, rootless and as root, on a machine where systemd is
// installed but not running (it need not be PID 1): the units of `generate
// systemd` and husk-generator's services of every Quadlet kind pass
// `systemd-analyze verify`; units are started by hand, their Exec lines run
// in order with %t and %n as systemd fills them and a NOTIFY_SOCKET the test
// listens on; --sdnotify's four modes; the flags the units need (--cidfile,
// --replace, --ignore, --pod-id-file, ...); auto-update against the local
// registry fixture.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures, Husk, lines, modes, newHusk, waitFor } from '../helpers/husk.js';
import { registryToolsMissing, skopeoCopy, startRegistry, writeOciLayout } from '../helpers/registry.js';
import { NotifyListener, serviceCommands, shellLine, systemdAnalyzeMissing, unitValue, verifyUnits, type Specifiers } from '../helpers/systemd.js';

const noAnalyze = systemdAnalyzeMissing();

/** Runs a unit's `key=` lines as its manager would: in order, as the husk user, a failure of a "-" line ignored. */
async function runUnitLines(h: Husk, text: string, key: string, spec: Specifiers, env: Record<string, string> = {}) {
  const results = [];
  for (const c of serviceCommands(text, key, spec)) {
    const r = await h.runShell(shellLine(c.argv), { env: { PODMAN_SYSTEMD_UNIT: spec.unit, ...env } });
    results.push(r);
    if (r.code !== 0 && !c.ignoreFailure) return { ok: false, results };
  }
  return { ok: true, results };
}

/** A file the husk user can write in (the unit's files and Quadlet sources). */
function dirFor(h: Husk, name: string): string {
  const d = path.join(h.dir, name);
  fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  if (h.user) fs.chownSync(d, h.uid, h.gid);
  return d;
}

const inspect = async (h: Husk, what: string, format: string) => (await h.run(['inspect', '--format', format, what])).stdout.trim();

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(async () => {
      await h.run(['pod', 'rm', '-a', '-f', '-t', '0']);
      await h.cleanup();
    });
    await h.importBusybox();
    // The stand-in manager's runtime directory (%t): the husk user's.
    const runtimeDir = path.join(h.dir, 'xdg');

    t.test('run --cidfile writes the id, rm and stop take --cidfile and --ignore, --replace takes the name over', async (t) => {
      const cid = path.join(runtimeDir, 'a.ctr-id');
      const first = await h.run(['run', '-d', '--name', 'a', '--cidfile', cid, 'busybox', 'sleep', '1000']);
      t.equal(first.code, 0, first.stderr);
      t.equal(fs.readFileSync(cid, 'utf8'), first.stdout.trim(), 'the id, without a newline, as podman writes it');
      const second = await h.run(['run', '-d', '--name', 'a', '--replace', '--cidfile', cid, 'busybox', 'sleep', '1000']);
      t.equal(second.code, 0, second.stderr);
      t.not(second.stdout.trim(), first.stdout.trim());
      t.same(lines((await h.run(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}'])).stdout), [`${second.stdout.trim()} a`], 'the old container of the name is gone');
      t.equal(fs.readFileSync(cid, 'utf8'), second.stdout.trim(), 'the file names the new one');
      const noName = await h.run(['run', '-d', '--replace', 'busybox', 'true']);
      t.equal(noName.code, 125);
      t.match(noName.stderr, /--replace needs --name/);
      const stop = await h.run(['stop', '-t', '0', '--cidfile', cid]);
      t.equal(stop.code, 0, stop.stderr);
      t.equal(await inspect(h, 'a', '{{.State.Status}}'), 'exited');
      const rm = await h.run(['rm', '--cidfile', cid]);
      t.equal(rm.code, 0, rm.stderr);
      t.notOk(fs.existsSync(cid), 'the id file goes with its container');
      for (const args of [['rm', '--ignore', '--cidfile', cid], ['stop', '--ignore', '--cidfile', cid], ['rm', '-i', 'nosuch'], ['stop', '--ignore', 'nosuch']]) {
        const r = await h.run(args);
        t.same([r.code, r.stderr], [0, ''], `${args.join(' ')}: nothing there is no error`);
      }
      const missing = await h.run(['rm', '--cidfile', cid]);
      t.equal(missing.code, 125, 'without --ignore a missing id file is an error');
      t.match(missing.stderr, /--cidfile .*a\.ctr-id: no such file/);
      t.equal((await h.run(['stop', 'nosuch'])).code, 125, 'and so is a missing container');
    });

    t.test('--sdnotify=conmon: MAINPID (the monitor) and READY=1 reach NOTIFY_SOCKET once the container runs; ignore sends nothing', async (t) => {
      const listener = await NotifyListener.start(h);
      t.teardown(() => listener.stop());
      const quiet = await h.run(['run', '-d', '--name', 'quiet', '--sdnotify=ignore', 'busybox', 'sleep', '1000'], { env: { NOTIFY_SOCKET: listener.socket } });
      t.equal(quiet.code, 0, quiet.stderr);
      const r = await h.run(['run', '-d', '--name', 'ready', '--sdnotify=conmon', 'busybox', 'sleep', '1000'], { env: { NOTIFY_SOCKET: listener.socket } });
      t.equal(r.code, 0, r.stderr);
      const monitor = Number(await inspect(h, 'ready', '{{.State.ConmonPid}}'));
      const m = await listener.next((m) => /READY=1/.test(m.message));
      t.ok(m, 'READY=1 arrived');
      t.equal(m?.message, `MAINPID=${monitor}\nREADY=1`, 'the service\'s main process becomes the monitor');
      t.equal(m?.uid, h.uid, 'sent by husk, as the user it runs as');
      t.equal(listener.messages.length, 1, 'the --sdnotify=ignore container, started before, sent nothing');
      t.equal(await inspect(h, 'ready', '{{.State.Status}}'), 'running');
      const bad = await h.run(['run', '-d', '--sdnotify=bogus', 'busybox', 'true']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid --sdnotify "bogus": use container, conmon, healthy, ignore/);
      await h.run(['rm', '-f', 'quiet', 'ready']);
    });

    t.test('--sdnotify=container: the container\'s own READY=1 reaches NOTIFY_SOCKET through its monitor, as a user of the container too', async (t) => {
      const listener = await NotifyListener.start(h, 'container.sock');
      t.teardown(() => listener.stop());
      // The container waits for a file before it says READY=1: nothing before that is the container's.
      const script = 'echo "socket $NOTIFY_SOCKET"; while [ ! -e /tmp/go ]; do sleep 0.05; done; /sd-notify send "STATUS=serving\\nREADY=1\\nMAINPID=1"; sleep 1000';
      const r = await h.run(['run', '-d', '--name', 'own', '-u', '1000', '--sdnotify=container', '-v', `${fixtures.sdNotify}:/sd-notify:ro`, 'busybox', 'sh', '-c', script], { env: { NOTIFY_SOCKET: listener.socket } });
      t.equal(r.code, 0, r.stderr);
      const monitor = Number(await inspect(h, 'own', '{{.State.ConmonPid}}'));
      t.ok(await listener.next((m) => m.message === `MAINPID=${monitor}`), 'husk says the monitor is the main process, and nothing more');
      t.notOk(listener.messages.some((m) => /READY/.test(m.message)), 'no READY=1 before the container says it');
      t.equal((await h.run(['exec', 'own', 'touch', '/tmp/go'])).code, 0);
      const ready = await listener.next((m) => /READY=1/.test(m.message));
      t.equal(ready?.message, 'STATUS=serving\nREADY=1', 'its message, without its MAINPID (a pid of its own namespace)');
      t.equal(ready?.pid, monitor, 'relayed by the monitor, which systemd accepts as the main process');
      t.match((await h.run(['logs', 'own'])).stdout, /^socket \/run\/notify\/notify\.sock$/m, 'the container\'s NOTIFY_SOCKET is /run/notify/notify.sock');
      const byDefault = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'echo "$NOTIFY_SOCKET"'], { env: { NOTIFY_SOCKET: listener.socket } });
      t.equal(byDefault.stdout, '/run/notify/notify.sock\n', 'container is the default under a NOTIFY_SOCKET, as podman\'s');
      const none = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'echo "[$NOTIFY_SOCKET]"']);
      t.equal(none.stdout, '[]\n', 'without one, nothing');
      await h.run(['rm', '-f', 'own']);
    });

    t.test('--sdnotify=healthy: READY=1 once the healthcheck first passes; run -d waits for it, and fails when the container stops first', async (t) => {
      const listener = await NotifyListener.start(h, 'healthy.sock');
      t.teardown(() => listener.stop());
      const run = h.run(['run', '-d', '--name', 'checked', '--sdnotify=healthy', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', 'busybox', 'sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.05; done; touch /tmp/ok; sleep 1000'], { env: { NOTIFY_SOCKET: listener.socket } });
      const mainpid = await listener.next((m) => m.message.startsWith('MAINPID='));
      t.ok(mainpid, 'MAINPID at the start');
      t.notOk(listener.messages.some((m) => /READY/.test(m.message)), 'no READY=1 while unhealthy');
      t.equal((await h.run(['exec', 'checked', 'touch', '/tmp/go'])).code, 0);
      const r = await run;
      t.equal(r.code, 0, r.stderr);
      t.ok(await listener.next((m) => m.message === 'READY=1'), 'READY=1 after the check passed');
      t.equal(await inspect(h, 'checked', '{{.State.Health.Status}}'), 'healthy', 'run -d returned once healthy');
      const dies = await h.run(['run', '-d', '--name', 'dies', '--sdnotify=healthy', '--health-cmd', 'false', '--health-interval', '1s', 'busybox', 'sh', '-c', 'exit 3'], { env: { NOTIFY_SOCKET: listener.socket } });
      t.equal(dies.code, 125);
      t.match(dies.stderr, /container dies stopped before its healthcheck passed/);
      const none = await h.run(['run', '-d', '--sdnotify=healthy', 'busybox', 'true']);
      t.equal(none.code, 125);
      t.match(none.stderr, /--sdnotify=healthy needs a healthcheck/);
      await h.run(['rm', '-f', 'checked', 'dies']);
    });

    t.test('generate systemd --new: a unit started by hand runs the container (READY=1 to its NOTIFY_SOCKET) and its stop removes it', async (t) => {
      const made = await h.run(['run', '-d', '--name', 'web', '-e', 'GREETING=hello world', '--label', 'io.containers.autoupdate=local', 'busybox', 'sh', '-c', 'echo "$GREETING"; sleep 1000']);
      t.equal(made.code, 0, made.stderr);
      const gen = await h.run(['generate', 'systemd', '--new', '--name', '--time', '1', 'web']);
      t.equal(gen.code, 0, gen.stderr);
      const unit = gen.stdout;
      t.match(unit, /^# container-web\.service\n# autogenerated by husk /);
      t.equal(unitValue(unit, 'Service', 'Type'), 'notify');
      t.equal(unitValue(unit, 'Service', 'NotifyAccess'), 'all');
      t.equal(unitValue(unit, 'Service', 'Environment'), 'PODMAN_SYSTEMD_UNIT=%n');
      const spec = { runtimeDir, unit: 'container-web.service' };
      const [start] = serviceCommands(unit, 'ExecStart', spec);
      t.same(start?.argv.slice(start.argv.indexOf('run')), ['run', `--cidfile=${runtimeDir}/container-web.service.ctr-id`, '--cgroups=no-conmon', '--rm', '--sdnotify=conmon', '--replace', '-d', '--name', 'web', '-e', 'GREETING=hello world', '--label', 'io.containers.autoupdate=local', 'busybox', 'sh', '-c', 'echo "$GREETING"; sleep 1000'], 'podman\'s run flags, then the create command as given');
      t.ok(start && path.isAbsolute(start.argv[0]!) && fs.existsSync(start.argv[0]!), 'the absolute path of husk');
      t.equal((await h.run(['rm', '-f', 'web'])).code, 0);

      const listener = await NotifyListener.start(h, 'unit.sock');
      t.teardown(() => listener.stop());
      const up = await runUnitLines(h, unit, 'ExecStartPre', spec);
      t.ok(up.ok, 'ExecStartPre with nothing to remove');
      const started = await runUnitLines(h, unit, 'ExecStart', spec, { NOTIFY_SOCKET: listener.socket });
      t.ok(started.ok, started.results.map((r) => r.stderr).join(''));
      const cid = fs.readFileSync(path.join(runtimeDir, 'container-web.service.ctr-id'), 'utf8');
      t.equal(await inspect(h, 'web', '{{.Id}}'), cid, 'the id file names the container');
      t.equal(await inspect(h, 'web', '{{.State.Status}}'), 'running');
      t.equal(await inspect(h, 'web', '{{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}'), 'container-web.service', 'labelled with its unit (auto-update restarts it)');
      const monitor = await inspect(h, 'web', '{{.State.ConmonPid}}');
      t.ok(await listener.next((m) => m.message === `MAINPID=${monitor}\nREADY=1`), 'READY=1, the monitor as the main process');
      t.ok(await waitFor(async () => (await h.run(['logs', 'web'])).stdout === 'hello world\n'), 'the environment as given');
      const dry = await h.run(['auto-update', '--dry-run']);
      t.equal(dry.code, 0, dry.stderr);
      t.match(dry.stdout, new RegExp(`^UNIT +CONTAINER +IMAGE +POLICY +UPDATED\\ncontainer-web\\.service +${cid.slice(0, 12)} \\(web\\) +busybox +local +false\\n$`), 'auto-update --dry-run: nothing newer');

      // A crash leaves the container: ExecStartPre of the next start removes it, and its id file.
      const pre = await runUnitLines(h, unit, 'ExecStartPre', spec);
      t.ok(pre.ok);
      t.same(await h.containerIds(), [], 'ExecStartPre removed the stale container');
      t.notOk(fs.existsSync(path.join(runtimeDir, 'container-web.service.ctr-id')));
      t.ok((await runUnitLines(h, unit, 'ExecStart', spec, { NOTIFY_SOCKET: listener.socket })).ok, 'and the unit starts again');
      // systemctl stop: ExecStop, then ExecStopPost.
      const stop = await runUnitLines(h, unit, 'ExecStop', spec);
      t.ok(stop.ok, stop.results.map((r) => r.stderr).join(''));
      const post = await runUnitLines(h, unit, 'ExecStopPost', spec);
      t.ok(post.ok, post.results.map((r) => r.stderr).join(''));
      t.same(await h.containerIds(), [], 'stopped and removed (--rm, and ExecStopPost for what is left)');
      t.notOk(fs.existsSync(path.join(runtimeDir, 'container-web.service.ctr-id')), 'its id file too');
      t.ok((await runUnitLines(h, unit, 'ExecStopPost', spec)).ok, 'a second stop finds nothing and is no failure');
    });

    t.test('generate systemd without --new: start and stop of the existing container, PIDFile the monitor\'s; --files, --format json', async (t) => {
      t.equal((await h.run(['create', '--name', 'kept', '--stop-timeout', '3', 'busybox', 'sleep', '1000'])).code, 0);
      const gen = await h.run(['generate', 'systemd', '--name', '--restart-policy', 'always', '--restart-sec', '5', '--no-header', 'kept']);
      t.equal(gen.code, 0, gen.stderr);
      const unit = gen.stdout;
      t.match(unit, /^# container-kept\.service\n\n\[Unit\]/, '--no-header');
      t.same([unitValue(unit, 'Service', 'Type'), unitValue(unit, 'Service', 'Restart'), unitValue(unit, 'Service', 'RestartSec'), unitValue(unit, 'Service', 'TimeoutStopSec')], ['forking', 'always', '5', '63']);
      const spec = { runtimeDir, unit: 'container-kept.service' };
      t.same(serviceCommands(unit, 'ExecStop', spec)[0]?.argv.slice(-4), ['stop', '-t', '3', 'kept'], 'its own stop timeout');
      t.ok((await runUnitLines(h, unit, 'ExecStart', spec)).ok);
      t.equal(await inspect(h, 'kept', '{{.State.Status}}'), 'running');
      const pidFile = unitValue(unit, 'Service', 'PIDFile')!;
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      t.equal(String(pid), await inspect(h, 'kept', '{{.State.ConmonPid}}'), 'PIDFile holds the monitor\'s pid');
      t.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /husk-monitor/);
      t.ok((await runUnitLines(h, unit, 'ExecStop', spec)).ok);
      t.equal(await inspect(h, 'kept', '{{.State.Status}}'), 'exited');

      const out = dirFor(h, 'units-kept');
      const files = await h.runShell(`cd ${out} && ${h.commandLine(['generate', 'systemd', '--files', '--name', '--container-prefix', 'app', '--separator', '_', 'kept'])}`);
      t.equal(files.code, 0, files.stderr);
      t.equal(files.stdout, `${out}/app_kept.service\n`);
      t.same(serviceCommands(fs.readFileSync(path.join(out, 'app_kept.service'), 'utf8'), 'ExecStart', spec)[0]?.argv.slice(-2), ['start', 'kept']);
      const json = await h.run(['generate', 'systemd', '--format', 'json', 'kept']);
      const id = await inspect(h, 'kept', '{{.Id}}');
      t.same(Object.keys(JSON.parse(json.stdout) as object), [`container-${id}`], 'named by id without --name');
      const nothing = await h.run(['generate', 'systemd', 'nosuch']);
      t.equal(nothing.code, 125);
      t.match(nothing.stderr, /no container or pod with name or ID "nosuch" found/);
      const bad = await h.run(['generate', 'systemd', '--restart-policy', 'sometimes', 'kept']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid --restart-policy "sometimes"/);
    });

    t.test('a pod and its container: units (--new and not), pod create --pod-id-file/--replace/--infra-conmon-pidfile, started by hand', async (t) => {
      t.equal((await h.run(['pod', 'create', '--name', 'shop'])).code, 0);
      t.equal((await h.run(['run', '-d', '--pod', 'shop', '--name', 'till', 'busybox', 'sleep', '1000'])).code, 0);
      const plain = await h.run(['generate', 'systemd', '--name', 'shop']);
      t.equal(plain.code, 0, plain.stderr);
      t.match(plain.stdout, /^# pod-shop\.service$/m);
      t.match(plain.stdout, /^Wants=container-till\.service$/m);
      t.match(plain.stdout, /^Before=container-till\.service$/m);
      t.match(plain.stdout, /^BindsTo=pod-shop\.service$/m, 'the container\'s unit is bound to the pod\'s');
      t.match(plain.stdout, /start shop-infra$|start [0-9a-f]{12}-infra$/m, 'the pod\'s unit starts its infra');
      const out = dirFor(h, 'units-pod');
      const gen = await h.runShell(`cd ${out} && ${h.commandLine(['generate', 'systemd', '--new', '--name', '--files', '--time', '1', 'shop'])}`);
      t.equal(gen.code, 0, gen.stderr);
      t.same(lines(gen.stdout).map((f) => path.basename(f)), ['pod-shop.service', 'container-till.service']);
      const podUnit = fs.readFileSync(path.join(out, 'pod-shop.service'), 'utf8');
      const ctrUnit = fs.readFileSync(path.join(out, 'container-till.service'), 'utf8');
      t.equal((await h.run(['pod', 'rm', '-f', '-t', '0', 'shop'])).code, 0);

      const podSpec = { runtimeDir, unit: 'pod-shop.service' };
      const ctrSpec = { runtimeDir, unit: 'container-till.service' };
      const pre = await runUnitLines(h, podUnit, 'ExecStartPre', podSpec);
      t.ok(pre.ok, pre.results.map((r) => r.stderr).join(''));
      const podId = fs.readFileSync(path.join(runtimeDir, 'pod-shop.pod-id'), 'utf8');
      t.equal((await h.run(['pod', 'inspect', '--format', '{{.Id}}', 'shop'])).stdout.trim(), podId, '--pod-id-file');
      t.ok((await runUnitLines(h, podUnit, 'ExecStart', podSpec)).ok);
      const infraMonitor = Number(fs.readFileSync(path.join(runtimeDir, 'pod-shop.pid'), 'utf8'));
      t.match(fs.readFileSync(`/proc/${infraMonitor}/cmdline`, 'utf8'), /husk-monitor/, '--infra-conmon-pidfile: the infra\'s monitor, the unit\'s PIDFile');
      const ctr = await runUnitLines(h, ctrUnit, 'ExecStart', ctrSpec, { NOTIFY_SOCKET: path.join(h.dir, 'none.sock') });
      t.ok(ctr.ok, ctr.results.map((r) => r.stderr).join(''));
      t.equal(await inspect(h, 'till', '{{.Pod}}'), podId, 'the container joined the pod through --pod-id-file');
      t.ok((await runUnitLines(h, podUnit, 'ExecStartPre', podSpec)).ok, 'pod create --replace: a stale pod of the name goes');
      t.same(lines((await h.run(['pod', 'ps', '--format', '{{.Name}}'])).stdout), ['shop']);
      t.ok((await runUnitLines(h, podUnit, 'ExecStop', podSpec)).ok);
      t.ok((await runUnitLines(h, podUnit, 'ExecStopPost', podSpec)).ok);
      t.same(lines((await h.run(['pod', 'ps', '-q'])).stdout), [], 'the pod is removed');
      t.ok((await runUnitLines(h, podUnit, 'ExecStopPost', podSpec)).ok, 'pod rm --ignore of a pod that is gone');
      t.ok((await runUnitLines(h, ctrUnit, 'ExecStopPost', ctrSpec)).ok, 'rm --ignore --cidfile of a container that went with its pod');
    });

    t.test('pod create --exit-policy=stop: the infra stops once its last container has exited', async (t) => {
      t.equal((await h.run(['pod', 'create', '--name', 'brief', '--exit-policy', 'stop'])).code, 0);
      t.equal((await h.run(['run', '-d', '--pod', 'brief', 'busybox', 'sh', '-c', 'exit 0'])).code, 0);
      t.ok(await waitFor(async () => (await h.run(['pod', 'ps', '--format', '{{.Status}}'])).stdout.trim() === 'Exited', 30_000), 'the pod ends with its container');
      t.equal((await h.run(['pod', 'create', '--name', 'long'])).code, 0);
      t.equal((await h.run(['run', '-d', '--pod', 'long', '--name', 'quick', 'busybox', 'sh', '-c', 'exit 0'])).code, 0);
      t.ok(await waitFor(async () => (await inspect(h, 'quick', '{{.State.Status}}')) === 'exited'));
      // The exit's cleanup (which would stop the infra) has run when the monitor and its cleanup are gone.
      const id = await inspect(h, 'quick', '{{.Id}}');
      t.ok(await waitFor(() => Husk.monitorPids(id).length === 0, 30_000));
      t.match((await h.run(['pod', 'ps', '--filter', 'name=long', '--format', '{{.Status}}'])).stdout, /Degraded|Running/, 'continue (the default): the infra runs on');
      const bad = await h.run(['pod', 'create', '--exit-policy', 'sometimes']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid --exit-policy "sometimes": use continue or stop/);
      await h.run(['pod', 'rm', '-f', '-t', '0', 'brief', 'long']);
    });

    t.test('systemd-analyze verify passes every unit of generate systemd', { skip: noAnalyze }, async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'v1', '--restart', 'on-failure:3', '-p', '127.0.0.1::80', '-e', 'HOME', 'busybox', 'sleep', '1000'])).code, 0);
      t.equal((await h.run(['pod', 'create', '--name', 'vpod'])).code, 0);
      t.equal((await h.run(['run', '-d', '--pod', 'vpod', '--name', 'v2', 'busybox', 'sleep', '1000'])).code, 0);
      const out = dirFor(h, 'verify');
      for (const args of [['--new', '--name', 'v1'], ['v1'], ['--new', '--name', 'vpod'], ['--name', '--container-prefix', 'plain', '--pod-prefix', 'plainpod', 'vpod']]) {
        const r = await h.runShell(`cd ${out} && ${h.commandLine(['generate', 'systemd', '--files', '--wants', 'network.target', '--after', 'network.target', ...args])}`);
        t.equal(r.code, 0, r.stderr);
      }
      const files = fs.readdirSync(out).map((f) => path.join(out, f));
      t.equal(files.length, 6, 'a container\'s (--new and not, by name and id), a pod\'s and its container\'s (twice)');
      t.match(fs.readFileSync(path.join(out, 'container-v1.service'), 'utf8'), /^StartLimitBurst=3$/m, '--restart on-failure:3 is systemd\'s Restart=on-failure with StartLimitBurst=3');
      const v = verifyUnits(h, files);
      t.equal(v.code, 0, v.output);
      t.equal(v.output, '', 'no warning either');
      await h.run(['pod', 'rm', '-f', '-t', '0', 'vpod']);
      await h.run(['rm', '-f', 'v1']);
    });

    t.test('Quadlet: husk-generator makes a service of each kind; each passes systemd-analyze verify; one started by hand runs', async (t) => {
      const src = dirFor(h, 'quadlet');
      const put = (name: string, text: string) => {
        fs.writeFileSync(path.join(src, name), text);
        if (h.user) fs.chownSync(path.join(src, name), h.uid, h.gid);
      };
      const store = `GlobalArgs=--root ${h.root} --runroot ${h.runroot}`;
      put('web.container', `[Unit]\nDescription=web\nAfter=cache.container\n\n[Container]\n${store}\nImage=localhost/busybox:latest\nExec=sh -c 'echo started; sleep 1000'\nEnvironment=A=1 "B=two words"\nVolume=data.volume:/data\nNetwork=back.network\nLabel=app=web\nWorkingDir=/data\nAutoUpdate=local\nSysctl=net.ipv4.ip_forward=1\nFrobnicate=yes\n\n[Service]\nRestart=always\n\n[Install]\nWantedBy=default.target\n`);
      put('cache.container', `[Container]\n${store}\nImage=busybox.image\nPod=shop.pod\nExec=sleep 1000\n`);
      put('data.volume', `[Volume]\n${store}\nUser=1000\nGroup=1000\nLabel=k=v\n`);
      put('back.network', `[Network]\n${store}\nSubnet=10.93.7.0/24\nInternal=true\nNetworkDeleteOnStop=true\n`);
      put('shop.pod', `[Pod]\n${store}\nPublishPort=127.0.0.1:18080:80\n`);
      put('busybox.image', `[Image]\n${store}\nImage=localhost/busybox:latest\nTLSVerify=false\n`);
      put('site.kube', `[Kube]\n${store}\nYaml=site.yaml\nSetWorkingDirectory=yaml\n`);
      put('broken.container', `[Container]\nExec=true\n`);
      const out = dirFor(h, 'generated');
      const env: Record<string, string> = mode === 'rootless' ? {} : { QUADLET_UNIT_DIRS: src };
      // Rootless, the user's directory: $XDG_CONFIG_HOME/containers/systemd (husk's test environment sets XDG_CONFIG_HOME).
      const seen = mode === 'rootless' ? path.join(h.dir, 'config', 'containers', 'systemd') : src;
      if (mode === 'rootless') {
        fs.mkdirSync(path.dirname(seen), { recursive: true });
        fs.symlinkSync(src, seen);
      }
      // systemd names the user's generator husk-user-generator: the name selects the user's directories.
      const link = path.join(dirFor(h, 'gen-bin'), mode === 'rootless' ? 'husk-user-generator' : 'husk-generator');
      fs.symlinkSync(`${h.bin}-generator`, link);
      const gen = await h.runShell(shellLine([link, out, path.join(h.dir, 'early'), path.join(h.dir, 'late')]), { env });
      t.equal(gen.code, 1, 'a file that could not be converted makes the generator fail');
      t.match(gen.stderr, /broken\.container: no Image= key in \[Container\] .*\(no service made from it\)/);
      t.match(gen.stderr, /web\.container: \[Container\] Sysctl: not supported by husk, ignored/);
      t.match(gen.stderr, /web\.container: \[Container\] Frobnicate: unknown key, ignored/);
      const made = fs.readdirSync(out).sort();
      t.same(made, ['back-network.service', 'busybox-image.service', 'cache.service', 'data-volume.service', 'default.target.wants', 'shop-pod.service', 'site.service', 'web.service']);
      t.equal(fs.readlinkSync(path.join(out, 'default.target.wants', 'web.service')), '../web.service', '[Install] WantedBy= becomes the link systemctl enable would make');
      const web = fs.readFileSync(path.join(out, 'web.service'), 'utf8');
      for (const dep of [/^Requires=data-volume\.service$/m, /^Requires=back-network\.service$/m, /^After=cache\.service$/m]) t.match(web, dep, `web.service: ${dep.source}`);
      t.match(fs.readFileSync(path.join(out, 'cache.service'), 'utf8'), /^BindsTo=shop-pod\.service$/m);
      t.match(fs.readFileSync(path.join(out, 'shop-pod.service'), 'utf8'), /^Wants=cache\.service$/m);
      t.match(fs.readFileSync(path.join(out, 'site.service'), 'utf8'), new RegExp(`^ExecStart=.* kube play --replace ${seen}/site\\.yaml$`, 'm'), 'Yaml= relative to the Quadlet file');
      t.match(fs.readFileSync(path.join(out, 'busybox-image.service'), 'utf8'), /^ExecStart=.* image pull --tls-verify=false localhost\/busybox:latest$/m);

      if (!noAnalyze) {
        const v = verifyUnits(h, made.filter((f) => f.endsWith('.service')).map((f) => path.join(out, f)));
        t.equal(v.code, 0, v.output);
        t.equal(v.output, '', 'no warning either');
      }

      // Started by hand: the volume's and network's oneshots, then the container's service.
      for (const [name, unit] of [['data-volume.service', 'ExecStart'], ['back-network.service', 'ExecStart']] as const) {
        const r = await runUnitLines(h, fs.readFileSync(path.join(out, name), 'utf8'), unit, { runtimeDir, unit: name });
        t.ok(r.ok, `${name}: ${r.results.map((x) => x.stderr).join('')}`);
      }
      const listener = await NotifyListener.start(h, 'quadlet.sock');
      t.teardown(() => listener.stop());
      const spec = { runtimeDir, unit: 'web.service' };
      const started = await runUnitLines(h, web, 'ExecStart', spec, { NOTIFY_SOCKET: listener.socket });
      t.ok(started.ok, started.results.map((r) => r.stderr).join(''));
      t.equal(await inspect(h, 'systemd-web', '{{.State.Status}}'), 'running', 'the container is systemd-%N');
      t.ok(await listener.next((m) => /READY=1/.test(m.message)), 'READY=1 to the unit\'s NOTIFY_SOCKET');
      t.equal(await inspect(h, 'systemd-web', '{{index .Config.Labels "io.containers.autoupdate"}}'), 'local', 'AutoUpdate=');
      t.equal(await inspect(h, 'systemd-web', '{{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}'), 'web.service');
      const probe = await h.run(['exec', 'systemd-web', 'sh', '-c', 'echo "$A|$B|$(pwd)"; stat -c %u /data']);
      t.equal(probe.stdout, '1|two words|/data\n1000\n', 'Environment=, WorkingDir=, and the volume of data.volume (User=1000)');
      t.ok((await runUnitLines(h, web, 'ExecStop', spec)).ok);
      t.ok((await runUnitLines(h, web, 'ExecStopPost', spec)).ok);
      t.equal((await h.run(['container', 'exists', 'systemd-web'])).code, 1, 'the stop removed it');
      const netDown = await runUnitLines(h, fs.readFileSync(path.join(out, 'back-network.service'), 'utf8'), 'ExecStopPost', { runtimeDir, unit: 'back-network.service' });
      t.ok(netDown.ok, 'NetworkDeleteOnStop=');
      t.equal((await h.run(['network', 'exists', 'systemd-back'])).code, 1);
    });

    t.test('system install-generator links husk-generator where systemd looks', async (t) => {
      const prefix = dirFor(h, 'systemd-lib');
      const r = await h.run(['system', 'install-generator', '--prefix', prefix]);
      t.equal(r.code, 0, r.stderr);
      for (const link of ['system-generators/husk-generator', 'user-generators/husk-user-generator']) {
        t.match(fs.readlinkSync(path.join(prefix, link)), /\/bin\/husk-generator$/, link);
      }
      if (mode === 'rootless') {
        const refused = await h.run(['system', 'install-generator']);
        t.equal(refused.code, 125);
        t.match(refused.stderr, /run it as root/);
      }
    });

    t.test('auto-update: registry and local policies, --dry-run, --format json; without systemd the update says so', { skip: registryToolsMissing() }, async (t) => {
      const tmp = fs.mkdtempSync('/tmp/hau-');
      fs.chmodSync(tmp, 0o755);
      t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
      const reg = await startRegistry({ dir: tmp });
      t.teardown(() => reg.stop());
      const v1 = writeOciLayout(fixtures.busyboxTar, path.join(tmp, 'v1'), { tag: 'latest', env: ['VERSION=1'] });
      const v2 = writeOciLayout(fixtures.busyboxTar, path.join(tmp, 'v2'), { tag: 'latest', env: ['VERSION=2'] });
      skopeoCopy(`oci:${v1.dir}:latest`, `docker://${reg.host}/au:latest`);
      const name = `localhost:${reg.port}/au:latest`;
      t.equal((await h.run(['pull', '--tls-verify=false', name])).code, 0);
      const unitEnv = { env: { PODMAN_SYSTEMD_UNIT: 'container-au.service' } };
      const r = await h.run(['run', '-d', '--name', 'au', '--label', 'io.containers.autoupdate=registry', name, 'sleep', '1000'], unitEnv);
      t.equal(r.code, 0, r.stderr);
      t.equal((await h.run(['run', '-d', '--name', 'nounit', '--label', 'io.containers.autoupdate=registry', name, 'sleep', '1000'])).code, 0);
      const same = await h.run(['auto-update', '--dry-run', '--tls-verify=false', '--format', 'json']);
      t.equal(same.code, 125, 'a labelled container without a unit is an error');
      t.match(same.stderr, /auto-updating container nounit: no PODMAN_SYSTEMD_UNIT label/);
      const id = await inspect(h, 'au', '{{.Id}}');
      t.same(JSON.parse(same.stdout), [{ Unit: 'container-au.service', Container: `${id.slice(0, 12)} (au)`, ContainerName: 'au', ContainerID: id, Image: name, Policy: 'registry', Updated: 'false' }]);
      await h.run(['rm', '-f', 'nounit']);
      skopeoCopy(`oci:${v2.dir}:latest`, `docker://${reg.host}/au:latest`);
      const pending = await h.run(['auto-update', '--dry-run', '--tls-verify=false']);
      t.equal(pending.code, 0, pending.stderr);
      t.match(pending.stdout, new RegExp(`^container-au\\.service +${id.slice(0, 12)} \\(au\\) +${name.replace(/[.]/g, '\\.')} +registry +pending$`, 'm'), 'a newer image in the registry');
      t.equal((await h.run(['image', 'inspect', '--format', '{{.Id}}', name])).stdout.trim(), v1.configDigest, '--dry-run pulled nothing');
      const noSystemd = await h.run(['auto-update', '--tls-verify=false']);
      t.equal(noSystemd.code, 125);
      t.match(noSystemd.stderr, mode === 'root' ? /systemd is not running on this machine/ : /your user's systemd \(systemd --user\) is not running/);
      t.match(noSystemd.stdout, /registry +failed$/m);
      // local: a newer image of the same name in the store.
      t.equal((await h.run(['run', '-d', '--name', 'loc', '--label', 'io.containers.autoupdate=local', 'busybox', 'sleep', '1000'], { env: { PODMAN_SYSTEMD_UNIT: 'container-loc.service' } })).code, 0);
      await h.importBusybox(['CMD ["sh"]', 'ENV NEWER=1']);
      const local = await h.run(['auto-update', '--dry-run', '--tls-verify=false', '--format', '{{.Unit}} {{.Policy}} {{.Updated}}']);
      t.equal(local.code, 0, local.stderr);
      t.same(lines(local.stdout).sort(), ['container-au.service registry pending', 'container-loc.service local pending']);
      await h.run(['rm', '-f', 'au', 'loc']);
    });
  });
}
