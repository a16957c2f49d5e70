// Nothing of the caller's open files crosses into a container (security
// issue 9, item 1; CVE-2024-21626 is the model): not husk's stdin, stdout or
// stderr, whatever they are (a host directory, a read-only file, a file open
// for append, a terminal), and no fd above 2 that husk inherited, in exec,
// run, start -a and attach; and a working directory of /proc/self/fd/N never
// lands on the host. Each as root and rootless.
//
// husk is started by a shell (h.runShell) to give it such fds: stdin from
// files/sub (a host directory next to files/secret), fd 7 open on a host
// directory. /proc/self/fd/0/../secret is then the host's secret file to a
// container that holds husk's own stdin.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Husk, modes, newHusk, parseProbe, waitFor } from '../helpers/husk.js';

const SECRET = 'host-secret-8c1d4e';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    // Relative to h.dir, where the shell runs.
    h.writeFile('secret', `${SECRET}\n`);
    const sub = path.join(h.dir, 'files', 'sub');
    fs.mkdirSync(sub);
    if (h.user) fs.chownSync(sub, h.uid, h.gid);
    const husk = (args: string[]) => h.commandLine(args);
    t.equal((await h.run(['run', '-d', '--name', 'web', 'busybox', 'sleep', '600'])).code, 0);

    t.test('exec: stdin from a host directory is not the container\'s (/proc/self/fd/0/.. escape)', async (t) => {
      const r = await h.runShell(`${husk(['exec', '-i', 'web', 'sh', '-c', 'cat /proc/self/fd/0/../secret; readlink /proc/self/fd/0'])} < files/sub`);
      t.notMatch(r.stdout + r.stderr, SECRET, 'the host\'s file is out of reach');
      t.match(r.stdout, /^pipe:\[\d+\]$/m, 'its stdin is a pipe husk made');
    });

    t.test('exec: -w /proc/self/fd/0 with stdin from a host directory does not start on the host', async (t) => {
      const r = await h.runShell(`${husk(['exec', '-i', '-w', '/proc/self/fd/0', 'web', 'sh', '-c', 'pwd; cat ../secret'])} < files/sub`);
      t.notMatch(r.stdout + r.stderr, SECRET, 'the host\'s file is out of reach');
      t.not(r.code, 0, 'no working directory there: the exec fails');
      t.match(r.stderr, /\/proc\/self\/fd\/0/, 'naming the directory');
    });

    t.test('exec: a read-only host file on stdin cannot be written through /proc/self/fd/0', async (t) => {
      const ro = h.writeFile('readonly', 'original\n');
      fs.chmodSync(ro, 0o444);
      const r = await h.runShell(`${husk(['exec', '-i', 'web', 'sh', '-c', 'echo overwritten > /proc/self/fd/0; echo tried'])} < files/readonly`);
      t.match(r.stdout, /tried/, 'the command ran');
      t.equal(fs.readFileSync(ro, 'utf8'), 'original\n', 'the file is unchanged');
    });

    t.test('exec: a host file open for append on stdout cannot be read back through /proc/self/fd/1', async (t) => {
      const log = h.writeFile('appended', `${SECRET}\n`);
      // Opened for reading first, then fd 1 given up: a pipe of ours ends at once.
      const r = await h.runShell(`${husk(['exec', 'web', 'sh', '-c', 'exec 3</proc/self/fd/1 1>&2; cat <&3; echo read-done'])} >> files/appended`);
      t.match(r.stderr, /read-done/, 'the command ran');
      t.notMatch(r.stderr, SECRET, 'what the file held stays unread');
      t.equal(fs.readFileSync(log, 'utf8'), `${SECRET}\n`, 'the file is unchanged');
    });

    t.test('exec without -t at a terminal: none of its fds is our terminal', async (t) => {
      const r = await h.runTty(['exec', '-i', 'web', 'sh', '-c', 'for f in 0 1 2; do [ -t $f ] && echo "fd $f is a terminal"; done; echo checked']);
      t.match(r.stdout, /checked/, 'the command ran');
      t.notMatch(r.stdout, /is a terminal/, 'pipes, not the terminal');
    });

    t.test('exec at a terminal: a process left behind cannot read what is typed after exec returned', async (t) => {
      // The container's process leaves a reader of its own stderr behind. Once
      // exec has returned, the shell waits a second (only that reader is
      // reading then), and reads a line: the one we type.
      const thief = husk(['exec', 'web', 'sh', '-c', 'cat </proc/self/fd/2 >/tmp/stolen 2>&1 &']);
      const child = h.spawnShellTty(`${thief}; echo exec-returned; sleep 1; line=$(timeout --foreground 5 head -n 1); echo "shell-got:$line"`);
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
      const closed = new Promise((resolve) => child.on('close', resolve));
      t.ok(await waitFor(() => out.includes('exec-returned'), 30_000), 'exec returned');
      child.stdin!.write('typed-after-exec\n');
      await closed;
      t.match(out, /shell-got:typed-after-exec/, 'the shell got the line');
      const stolen = await h.run(['exec', 'web', 'cat', '/tmp/stolen']);
      t.notMatch(stolen.stdout, /typed-after-exec/, 'the container did not');
    });

    t.test('exec: an fd above 2 that husk inherited is not the container\'s, nor is a working directory through it', async (t) => {
      const probe = await h.runShell(`${husk(['exec', 'web', 'probe'])} 7<files/sub`);
      t.equal(probe.code, 0, probe.stderr);
      t.same(parseProbe(probe.stdout).openFds, [0, 1, 2], 'only its stdin, stdout and stderr');
      const r = await h.runShell(`${husk(['exec', '-w', '/proc/self/fd/7', 'web', 'cat', 'secret'])} 7<files`);
      t.notMatch(r.stdout + r.stderr, SECRET, 'the host\'s file is out of reach');
      t.not(r.code, 0, 'no working directory there: the exec fails');
    });

    t.test('run: stdin from a host directory and fd 7 stay outside; -w /proc/self/fd/7 does not start on the host', async (t) => {
      const r = await h.runShell(`${husk(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat /proc/self/fd/0/../secret; readlink /proc/self/fd/0'])} < files/sub`);
      t.notMatch(r.stdout + r.stderr, SECRET, 'the host\'s file is out of reach');
      t.match(r.stdout, /^pipe:\[\d+\]$/m, 'its stdin is the monitor\'s pipe');
      const probe = await h.runShell(`${husk(['run', '--rm', 'busybox', 'probe'])} 7<files/sub`);
      t.equal(probe.code, 0, probe.stderr);
      t.same(parseProbe(probe.stdout).openFds, [0, 1, 2], 'only its stdin, stdout and stderr');
      const cwd = await h.runShell(`${husk(['run', '--rm', '-w', '/proc/self/fd/7', 'busybox', 'cat', 'secret'])} 7<files`);
      t.notMatch(cwd.stdout + cwd.stderr, SECRET, 'the host\'s file is out of reach');
      t.not(cwd.code, 0, 'no working directory there: the run fails');
    });

    t.test('start -a: the caller\'s stdin and fd 7 stay outside, at the first start and a new init\'s', async (t) => {
      const created = await h.run(['create', '-i', '--name', 'started', 'busybox', 'sh', '-c', 'readlink /proc/self/fd/0; cat /proc/self/fd/0/../secret; probe']);
      t.equal(created.code, 0);
      const id = created.stdout.trim();
      for (const round of ['first start', 'start after exit']) {
        const r = await h.runShell(`${husk(['start', '-a', '-i', 'started'])} < files/sub 7<files/sub`);
        t.notMatch(r.stdout + r.stderr, SECRET, `${round}: the host's file is out of reach`);
        t.match(r.stdout, /^pipe:\[\d+\]$/m, `${round}: its stdin is the monitor's pipe`);
        t.same(parseProbe(r.stdout).openFds, [0, 1, 2], `${round}: only its stdin, stdout and stderr`);
        // Its monitor and cleanup done: a start racing them fails (not what this is about).
        t.ok(await waitFor(() => Husk.monitorPids(id).length === 0), `${round}: the container exited`);
      }
      // The init is made at create (and its working directory entered then).
      const create = await h.runShell(`${husk(['create', '--name', 'cwd7', '-w', '/proc/self/fd/7', 'busybox', 'cat', 'secret'])} 7<files`);
      const start = await h.runShell(`${husk(['start', '-a', 'cwd7'])} 7<files`);
      t.notMatch(create.stdout + create.stderr + start.stdout + start.stderr, SECRET, '-w /proc/self/fd/7: the host\'s file is out of reach');
      t.not(create.code === 0 && start.code === 0, true, '-w /proc/self/fd/7: no working directory there');
    });

    t.test('attach: the caller\'s stdin and fd 7 stay outside', async (t) => {
      const script = 'read -r go; readlink /proc/self/fd/0; ls /proc/self/fd/7 2>&1; probe';
      t.equal((await h.run(['run', '-d', '-i', '--name', 'attached', 'busybox', 'sh', '-c', script])).code, 0);
      h.writeFile('go', 'go\n');
      const r = await h.runShell(`${husk(['attach', 'attached'])} < files/go 7<files/sub`);
      t.equal(r.code, 0, r.stderr);
      t.match(r.stdout, /^pipe:\[\d+\]$/m, 'its stdin is the monitor\'s pipe');
      t.match(r.stdout, /No such file/, 'no fd 7');
      t.same(parseProbe(r.stdout).openFds, [0, 1, 2], 'only its stdin, stdout and stderr');
    });
  });
}
