// Open files from husk's caller into the container: run/exec --preserve-fds N
// hands fds 3 .. 2+N on; systemd's socket activation (LISTEN_FDS, LISTEN_PID
// naming husk) does the same without the flag and tells the container's
// server so (LISTEN_PID=1), as podman does. The last test is a real
// activation: systemd-socket-activate listens on loopback, husk is started per
// connection, and the container talks over the socket it was given.
import net from 'node:net';
import t from 'tap';
import { modes, newHusk, waitFor } from '../helpers/husk.js';
import { freePort } from '../helpers/net.js';

/** One line from a connection to 127.0.0.1:port once something accepts there, then the rest after sending `send`. */
async function converse(port: number, send: string): Promise<string> {
  const socket = await waitFor(
    () =>
      new Promise<net.Socket | undefined>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.on('error', () => resolve(undefined));
      }),
    20_000,
  );
  if (!socket) throw new Error(`nothing accepted on 127.0.0.1:${port} in 20 s`);
  let got = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in 30 s, got ${JSON.stringify(got)}`)), 30_000);
    socket.on('data', (d) => {
      if (!got.includes('\n')) socket.write(send);
      got += d.toString();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const file = h.writeFile('fd3.txt', 'from fd 3\n');
    const husk = (args: string[]) => h.commandLine(args);

    await t.test('run --preserve-fds 1: fd 3 of husk is fd 3 of the container', async (t) => {
      const r = await h.runShell(`exec ${husk(['run', '--rm', '--preserve-fds', '1', 'busybox', 'sh', '-c', 'cat <&3'])} 3<${file}`);
      t.same(r, { code: 0, stdout: 'from fd 3\n', stderr: '' });
    });

    await t.test('without it, fd 3 stays with husk', async (t) => {
      const r = await h.runShell(`exec ${husk(['run', '--rm', 'busybox', 'sh', '-c', 'cat <&3'])} 3<${file}`);
      t.not(r.code, 0, 'the container has no fd 3');
      t.equal(r.stdout, '');
    });

    await t.test('a socket activation: LISTEN_FDS fds go in, LISTEN_PID is the container\'s process', async (t) => {
      const script = 'echo "$LISTEN_PID $LISTEN_FDS $LISTEN_FDNAMES"; cat <&3';
      // exec keeps the shell's pid ($$) for husk, as systemd names the process it starts.
      const r = await h.runShell(`exec env LISTEN_FDS=1 LISTEN_PID=$$ LISTEN_FDNAMES=web ${husk(['run', '--rm', 'busybox', 'sh', '-c', script])} 3<${file}`);
      t.same(r, { code: 0, stdout: '1 1 web\nfrom fd 3\n', stderr: '' });
    });

    await t.test('LISTEN_* meant for another process are not husk\'s', async (t) => {
      const r = await h.runShell(`LISTEN_FDS=1 LISTEN_PID=1 ${husk(['run', '--rm', 'busybox', 'sh', '-c', 'echo "[$LISTEN_FDS]"; { cat <&3; } 2>/dev/null || echo none'])} 3<${file}`);
      t.same(r, { code: 0, stdout: '[]\nnone\n', stderr: '' });
    });

    await t.test('exec --preserve-fds', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'pf', 'busybox', 'sleep', '600'])).code, 0);
      const r = await h.runShell(`exec ${husk(['exec', '--preserve-fds', '1', 'pf', 'sh', '-c', 'cat <&3'])} 3<${file}`);
      t.same(r, { code: 0, stdout: 'from fd 3\n', stderr: '' });
      t.equal((await h.run(['rm', '-f', '-t', '0', 'pf'])).code, 0);
    });

    await t.test('fds that are not open are an error, before anything is made', async (t) => {
      const r = await h.run(['run', '--rm', '--preserve-fds', '1000', 'busybox', 'true']);
      t.equal(r.code, 125);
      t.match(r.stderr, /^Error: file descriptor \d+ is not open: --preserve-fds 1000 passes 3 to 1002 on, each must be open\n$/);
      t.same(await h.containerIds(), [], 'no container left');
      const bad = await h.run(['run', '--rm', '--preserve-fds', '-1', 'busybox', 'true']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid --preserve-fds "-1"/);
      const list = await h.run(['run', '--rm', '--preserve-fd', '3', 'busybox', 'true']);
      t.equal(list.code, 125);
      t.match(list.stderr, /--preserve-fd is not supported: husk passes a range of file descriptors: --preserve-fds N/);
    });

    await t.test('systemd-socket-activate on loopback: the container answers on the socket it was given', async (t) => {
      const port = await freePort();
      const reply = 'read line <&3; echo "$LISTEN_PID $LISTEN_FDS $(readlink /proc/self/fd/3 | cut -c1-7) got $line" >&3';
      const server = h.spawnShell(`exec systemd-socket-activate -l 127.0.0.1:${port} -a ${husk(['run', '--rm', 'busybox', 'sh', '-c', `echo hello >&3; ${reply}`])}`);
      let stderr = '';
      server.stderr!.on('data', (d) => (stderr += d.toString()));
      t.teardown(() => void (server.exitCode === null && process.kill(-server.pid!, 'SIGTERM')));
      const got = await converse(port, 'ping\n').catch((e: Error) => `${e.message}; stderr: ${stderr}`);
      t.equal(got, 'hello\n1 1 socket: got ping\n', `the conversation (stderr: ${stderr})`);
    });
  });
}
