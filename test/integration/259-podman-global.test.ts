// podman's global options on husk: checked (--log-level), working (--out,
// --noout, -v), ignored with a warning that says why (--cgroup-manager,
// --runtime, ...), or refused with the reason (--url, -r, -c: husk has no
// service); each as root and rootless.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { modes, newHusk } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    t.equal((await h.run(['create', '--name', 'g1', 'busybox', 'true'])).code, 0);

    t.test('--log-level: podman\'s levels; anything else is refused before the command runs', async (t) => {
      for (const level of ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic']) {
        const r = await h.run([`--log-level=${level}`, 'ps', '-a', '-q']);
        t.same([r.code, r.stdout.trim().length], [0, 12], `${level}: ps runs`);
      }
      const bad = await h.run(['--log-level=BAD', 'rm', '-f', 'g1']);
      t.equal(bad.code, 125, 'exit 125');
      t.equal(bad.stderr, 'Error: log level "BAD" is not supported: choose from trace, debug, info, warn, warning, error, fatal, panic\n');
      t.equal((await h.run(['container', 'exists', 'g1'])).code, 0, 'and the command did not run');
      const debug = await h.run(['--log-level', 'debug', 'logs', 'nosuch']);
      t.match(debug.stderr, /^Error: .*nosuch.*\n(.*\n)?\s+at /, 'debug: the error with its stack');
    });

    t.test('--out FILE and --noout: husk\'s own output goes elsewhere, a container\'s does not', async (t) => {
      const out = path.join(h.dir, 'files', 'out.txt');
      fs.writeFileSync(out, 'old contents that must go\n');
      fs.chownSync(out, h.uid, h.gid);
      const r = await h.run(['--out', out, 'ps', '-a', '--format', '{{.Names}}']);
      t.same([r.code, r.stdout], [0, ''], 'nothing on stdout');
      t.equal(fs.readFileSync(out, 'utf8'), 'g1\n', 'the list is in the file, replacing it');
      const quiet = await h.run(['--noout', 'run', '--rm', 'busybox', 'echo', 'from the container']);
      t.same([quiet.code, quiet.stdout], [0, 'from the container\n'], '--noout keeps the container\'s output');
      const none = await h.run(['--noout', 'create', 'busybox', 'true']);
      t.same([none.code, none.stdout], [0, ''], '--noout drops husk\'s (the new id)');
    });

    t.test('-v and --version: "husk version X", as podman words it', async (t) => {
      for (const flag of ['-v', '--version']) {
        const r = await h.run([flag]);
        t.equal(r.code, 0);
        t.match(r.stdout, /^husk version \d+\.\d+\.\d+\n$/, flag);
      }
    });

    const IGNORED: Array<[string[], string]> = [
      [['--cgroup-manager=systemd'], '--cgroup-manager is ignored: husk places containers in cgroups itself'],
      [['--events-backend', 'journald'], '--events-backend is ignored: husk keeps its events in a file of its store'],
      [['--runtime', 'crun'], '--runtime is ignored: husk runs containers itself'],
      [['--storage-opt', 'overlay.mount_program=/usr/bin/fuse-overlayfs'], '--storage-opt is ignored'],
      [['--tmpdir', '/tmp'], '--tmpdir is ignored'],
      [['--syslog'], '--syslog is ignored'],
    ];
    t.test('podman\'s engine settings: taken, with a warning saying why they change nothing', async (t) => {
      for (const [flags, warning] of IGNORED) {
        const r = await h.run([...flags, 'ps', '-a', '--filter', 'name=^g1$', '--format', '{{.Names}}']);
        t.same([r.code, r.stdout], [0, 'g1\n'], `${flags.join(' ')}: ps runs`);
        t.ok(r.stderr.startsWith(`WARN: ${warning}`), `${flags.join(' ')}: ${r.stderr.trim()}`);
      }
    });

    const REFUSED: Array<[string[], string]> = [
      [['--url', 'unix:///run/podman/podman.sock'], '--url'],
      [['--connection', 'remote1'], '--connection'],
      [['-c', 'remote1'], '--connection'],
      [['-r'], '--remote'],
      [['--remote'], '--remote'],
      [['--identity', '/x'], '--identity'],
    ];
    t.test('podman\'s remote-service flags: refused, naming why, and nothing done', async (t) => {
      for (const [flags, name] of REFUSED) {
        const r = await h.run([...flags, 'rm', '-f', 'g1']);
        t.equal(r.code, 125, `${flags.join(' ')}: exit 125`);
        t.equal(r.stderr, `Error: ${name} is not supported: husk has no service: every command runs the engine itself, on this machine\n`, flags.join(' '));
      }
      t.equal((await h.run(['container', 'exists', 'g1'])).code, 0, 'g1 is still there');
      const hooks = await h.run(['--hooks-dir', '/usr/share/containers/oci/hooks.d', 'ps']);
      t.same([hooks.code, hooks.stderr], [125, 'Error: --hooks-dir is not supported: husk runs no OCI hooks\n'], '--hooks-dir');
    });

    t.test('an unknown global flag is refused', async (t) => {
      const r = await h.run(['--no-such-flag', 'ps']);
      t.same([r.code, r.stderr], [125, "Error: unknown flag: --no-such-flag (see 'husk ps --help')\n"]);
    });
  });
}
