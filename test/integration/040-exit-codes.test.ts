// Exit codes, as docker and podman define them: the container's own status,
// 126 (cannot invoke), 127 (not found), 125 (husk itself failed). A failure of
// husk prints one line on stderr and leaves nothing behind.
import t, { type Test } from 'tap';
import { lines, modes, newHusk } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    // Let husk create whatever it creates once (locks, state dirs) before taking snapshots.
    await h.run(['run', '--rm', 'busybox', 'true']);

    /** Runs husk and checks that it left no container and no new file behind. */
    const runClean = async (t: Test, args: string[]) => {
      const before = h.listStore();
      const r = await h.run(args);
      t.same(await h.containerIds(), [], 'no container left (ps -a -q is empty)');
      t.same(h.listStore(), before, 'no files left in the store');
      return r;
    };

    for (const status of [0, 1, 3, 42, 255]) {
      t.test(`exit status ${status} passes through`, async (t) => {
        const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', `exit ${status}`]);
        t.equal(r.code, status);
        t.equal(r.stderr, '');
      });
    }

    t.test('a process killed by SIGKILL gives 137', async (t) => {
      // The inner shell is not pid 1, so the kernel delivers its own SIGKILL.
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'sh -c "kill -9 \\$\\$"; exit $?']);
      t.equal(r.code, 137);
    });

    t.test('127: the command does not exist', async (t) => {
      const r = await runClean(t, ['run', '--rm', 'busybox', '/no/such/command']);
      t.equal(r.code, 127);
      t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      t.match(r.stderr, /\/no\/such\/command/, 'naming the command');
      const bare = await h.run(['run', '--rm', 'busybox', 'nosuchcommand']);
      t.equal(bare.code, 127, 'also when looked up in PATH');
      t.match(bare.stderr, /nosuchcommand/);
    });

    t.test('126: the command cannot be executed', async (t) => {
      const r = await runClean(t, ['run', '--rm', 'busybox', '/notexec']);
      t.equal(r.code, 126, 'a file without x permission');
      t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      t.match(r.stderr, /\/notexec/, 'naming the file');
      const dir = await h.run(['run', '--rm', 'busybox', '/tmp']);
      t.equal(dir.code, 126, 'a directory');
    });

    t.test('125: unknown flag', async (t) => {
      const r = await runClean(t, ['run', '--rm', '--no-such-flag', 'busybox', 'true']);
      t.equal(r.code, 125);
      t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      t.match(r.stderr, /no-such-flag/, 'naming the flag');
      t.equal(r.stdout, '', 'nothing on stdout');
    });

    t.test('125: unknown command', async (t) => {
      const r = await h.run(['no-such-command']);
      t.equal(r.code, 125);
      t.match(r.stderr, /no-such-command/);
    });

    t.test('125: missing image', async (t) => {
      const r = await runClean(t, ['run', '--rm', 'localhost/no-such-image:v1', 'true']);
      t.equal(r.code, 125);
      t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      t.match(r.stderr, /no-such-image/, 'naming the image');
    });

    t.test('125: bad --env-file', async (t) => {
      const r = await runClean(t, ['run', '--rm', '--env-file', '/nonexistent/env.list', 'busybox', 'true']);
      t.equal(r.code, 125);
      t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      t.match(r.stderr, /\/nonexistent\/env\.list/, 'naming the file');
    });

    t.test('125: bad values', async (t) => {
      for (const args of [
        ['-e', '=novalue'],
        ['--network', 'bogus-mode'],
        ['--security-opt', 'bogus=1'],
        ['--userns', 'bogus'],
      ]) {
        const r = await runClean(t, ['run', '--rm', ...args, 'busybox', 'true']);
        t.equal(r.code, 125, `${args.join(' ')} is refused with 125`);
        t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      }
    });

    t.test('125 without --rm leaves nothing either', async (t) => {
      const r = await runClean(t, ['run', '--name', 'never', 'localhost/no-such-image', 'true']);
      t.equal(r.code, 125);
    });

    t.test('127 without --rm keeps the container, like docker', async (t) => {
      const r = await h.run(['run', '--name', 'notfound', 'busybox', '/no/such/command']);
      t.equal(r.code, 127);
      const ps = await h.run(['ps', '-a']);
      t.match(ps.stdout, /notfound/, 'listed by ps -a');
      const rm = await h.run(['rm', 'notfound']);
      t.equal(rm.code, 0, 'and can be removed');
    });
  });
}
