// husk exec: a process in a running container, in all of its namespaces and
// confined as the container's own process; stdin, terminals, detached
// processes, exit codes and the errors; each as root and rootless.
import fs from 'node:fs';
import t from 'tap';
import { lines, modes, newHusk, waitFor } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    t.equal((await h.run(['run', '-d', '--name', 'web', '--hostname', 'webhost', '-e', 'FROM_RUN=1', 'busybox', 'sleep', '600'])).code, 0);

    t.test('the same namespaces as the container', async (t) => {
      const r = await h.run(['exec', 'web', 'sh', '-c', 'hostname; ps -o pid,comm; echo $FROM_RUN; ls /proc/1/root/ >/dev/null && echo root-ok']);
      t.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      t.equal(out[0], 'webhost', 'its uts namespace');
      t.match(r.stdout, /^\s*1 sleep$/m, 'its pid namespace: the container\'s init is PID 1');
      t.notMatch(r.stdout, /node|husk/, 'none of the host\'s processes');
      t.ok(out.includes('1'), 'the container\'s environment');
      const net = await h.run(['exec', 'web', 'sh', '-c', 'readlink /proc/self/ns/net; readlink /proc/1/ns/net']);
      const [mine, init] = lines(net.stdout);
      t.ok(mine && mine === init, `its network namespace: ${mine} is the init's`);
      t.not(mine, fs.readlinkSync('/proc/self/ns/net'), 'not the host\'s');
      const mnt = await h.run(['exec', 'web', 'sh', '-c', 'echo written > /tmp/from-exec']);
      t.equal(mnt.code, 0);
      t.equal((await h.run(['exec', 'web', 'cat', '/tmp/from-exec'])).stdout, 'written\n', 'its mount namespace and root filesystem');
    });

    t.test('confined as the container: capabilities, no_new_privs, seccomp', async (t) => {
      const status = async (args: string[]) => (await h.run(['exec', ...args, 'web', 'cat', '/proc/self/status'])).stdout;
      const init = (await h.run(['exec', 'web', 'cat', '/proc/1/status'])).stdout;
      const own = await status([]);
      const field = (text: string, name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
      t.equal(field(own, 'CapBnd'), field(init, 'CapBnd'), 'the bounding set of the container');
      t.equal(field(own, 'CapEff'), field(init, 'CapEff'), 'its effective capabilities');
      t.equal(field(own, 'Seccomp'), '2', 'a seccomp filter');
      const denied = await h.run(['exec', 'web', 'unshare', '-U', 'true']);
      t.not(denied.code, 0, 'what the filter denies stays denied');
      const priv = await status(['--privileged']);
      t.ok(BigInt(`0x${field(priv, 'CapEff')}`) > BigInt(`0x${field(own, 'CapEff')}`), '--privileged: more capabilities');
      const nobody = await status(['-u', 'nobody']);
      t.equal(field(nobody, 'CapEff'), '0000000000000000', 'another user: no capabilities');
    });

    t.test('-u, -w, -e, --env-file; exit codes', async (t) => {
      const r = await h.run(['exec', '-u', 'nobody', '-w', '/tmp', '-e', 'A=1', '-e', 'FROM_RUN=2', 'web', 'sh', '-c', 'id -un; pwd; echo $A $FROM_RUN']);
      t.same(lines(r.stdout), ['nobody', '/tmp', '1 2']);
      t.equal((await h.run(['exec', 'web', 'sh', '-c', 'exit 42'])).code, 42, 'the command\'s exit code');
      const missing = await h.run(['exec', 'web', 'nosuchcommand']);
      t.equal(missing.code, 127);
      t.match(missing.stderr, /nosuchcommand: executable file not found/);
      const cannot = await h.run(['exec', 'web', '/etc/passwd']);
      t.equal(cannot.code, 126, 'not executable: 126');
      const rel = await h.run(['exec', '-w', 'tmp', 'web', 'true']);
      t.equal(rel.code, 125);
      t.match(rel.stderr, /--workdir "tmp": must be an absolute path/);
      const none = await h.run(['exec', 'web']);
      t.equal(none.code, 125, 'no command');
    });

    t.test('stdin with -i, none without; a terminal with -t', async (t) => {
      const piped = await h.run(['exec', '-i', 'web', 'sh', '-c', 'cat; echo end'], { input: 'from stdin\n' });
      t.equal(piped.stdout, 'from stdin\nend\n');
      const closed = await h.run(['exec', 'web', 'sh', '-c', 'cat; echo end'], { input: 'ignored\n' });
      t.equal(closed.stdout, 'end\n', 'without -i stdin is empty');
      const tty = await h.runTty(['exec', '-it', 'web', 'sh', '-c', 'tty; stty size; exit 3'], { rows: 33, cols: 101 });
      t.equal(tty.code, 3, 'the exit code through the terminal');
      t.match(tty.stdout, /\/dev\/pts\/\d+/, 'a terminal of the container\'s own devpts');
      t.match(tty.stdout, /33 101/, 'of our terminal\'s size');
      const notty = await h.run(['exec', 'web', 'tty']);
      t.match(notty.stdout, /not a tty/);
    });

    t.test('-d: in the background', async (t) => {
      const r = await h.run(['exec', '-d', 'web', 'sh', '-c', 'sleep 0.3; echo later > /tmp/bg']);
      t.same([r.code, r.stdout], [0, ''], 'returns at once, prints nothing');
      t.ok(await waitFor(async () => (await h.run(['exec', 'web', 'cat', '/tmp/bg'])).stdout === 'later\n', 5000), 'the process ran');
    });

    t.test('exec into a stopped or missing container: 125 and a clear line', async (t) => {
      t.equal((await h.run(['create', '--name', 'idle', 'busybox', 'true'])).code, 0);
      const created = await h.run(['exec', 'idle', 'true']);
      t.equal(created.code, 125);
      t.match(created.stderr, /can only exec into running containers: idle is created/);
      t.equal((await h.run(['stop', '-t', '0', 'web'])).code, 0);
      const stopped = await h.run(['exec', 'web', 'true']);
      t.equal(stopped.code, 125);
      t.match(stopped.stderr, /web is exited/);
      t.equal(lines(stopped.stderr).length, 1);
      const missing = await h.run(['exec', 'nosuch', 'true']);
      t.equal(missing.code, 125);
      t.equal((await h.run(['rm', '-af'])).code, 0);
    });
  });
}
