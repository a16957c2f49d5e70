// husk run: the basics a user sees first. Each test runs as root and rootless.
import t from 'tap';
import { lines, modes, newHusk } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());

    await t.test('version and help', async (t) => {
      const v = await h.run(['version']);
      t.equal(v.code, 0, 'husk version exits 0');
      t.match(v.stdout, /0\.1\.0/, 'prints the package version');
      const help = await h.run(['--help']);
      t.equal(help.code, 0, 'husk --help exits 0');
      t.match(help.stdout, /\brun\b/, '--help lists the run command');
      t.match(help.stdout, /\bimport\b/, '--help lists the import command');
    });

    await t.test('info', async (t) => {
      const text = await h.run(['info']);
      t.equal(text.code, 0, 'husk info exits 0');
      t.match(text.stdout, /^\s*\w[\w.]*:/m, 'prints key: value lines');
      const json = await h.run(['info', '--format', 'json']);
      t.equal(json.code, 0, 'husk info --format json exits 0');
      let info: unknown;
      t.doesNotThrow(() => (info = JSON.parse(json.stdout)), 'prints JSON');
      t.ok(json.stdout.includes(h.root), 'names the storage root given with --root');
      const rootless = findKey(info, 'rootless');
      if (rootless !== undefined) t.equal(rootless, mode === 'rootless', 'reports rootless mode correctly');
    });

    await t.test('import the busybox image', async (t) => {
      await h.importBusybox();
      const images = await h.run(['images']);
      t.equal(images.code, 0);
      t.match(images.stdout, /busybox\s+latest/, 'images lists busybox:latest');
    });

    await t.test('echo prints to stdout, nothing on stderr', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'echo', 'hello', 'world']);
      t.same(r, { code: 0, stdout: 'hello world\n', stderr: '' });
    });

    await t.test('stdout and stderr stay apart', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
      t.equal(r.code, 0);
      t.equal(r.stdout, 'out\n');
      t.equal(r.stderr, 'err\n');
    });

    await t.test('the image filesystem is visible', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'cat', '/etc/passwd']);
      t.equal(r.code, 0);
      t.match(r.stdout, /^app:x:1000:1000:/m);
      const ls = await h.run(['run', '--rm', 'busybox', 'ls', '-ld', '/tmp', '/home/app']);
      t.match(ls.stdout, /^drwxrwxrwt\s.*\/tmp$/m, '/tmp is 1777');
      t.match(ls.stdout, /^drwxr-xr-x\s+\d+\s+(app|1000)\s+(app|1000)\s.*\/home\/app$/m, '/home/app belongs to app (1000:1000)');
    });

    await t.test('the default command of the image runs', async (t) => {
      // CMD ["sh"] with stdin at /dev/null: sh reads EOF and exits 0.
      const r = await h.run(['run', '--rm', 'busybox']);
      t.equal(r.code, 0);
      t.equal(r.stdout, '');
    });

    await t.test('large output is not lost', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'seq', '1', '100000']);
      t.equal(r.code, 0);
      const l = lines(r.stdout);
      t.equal(l.length, 100000, 'all 100000 lines arrive');
      t.equal(l[99999], '100000');
    });

    await t.test('arguments pass through unchanged', async (t) => {
      const args = ['a b', '', '$HOME', "'q'", '"dq"', '--rm', '-e', 'x=y', 'ünï'];
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'for a in "$@"; do echo "[$a]"; done', 'sh', ...args]);
      t.equal(r.code, 0);
      t.same(lines(r.stdout), args.map((a) => `[${a}]`));
    });

    await t.test('containers run side by side', async (t) => {
      const rs = await Promise.all([1, 2, 3].map((i) => h.run(['run', '--rm', 'busybox', 'echo', `c${i}`])));
      t.same(
        rs.map((r) => [r.code, r.stdout]),
        [
          [0, 'c1\n'],
          [0, 'c2\n'],
          [0, 'c3\n'],
        ],
      );
    });

    await t.test('changes in one container do not show in the next', async (t) => {
      const w = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'echo x > /etc/written && rm /bin/ls && echo ok']);
      t.equal(w.stdout, 'ok\n');
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'test -e /etc/written || echo clean; test -e /bin/ls && echo ls']);
      t.equal(r.stdout, 'clean\nls\n', 'a new container starts from the image again');
    });

    await t.test('--rm leaves no container behind', async (t) => {
      const ps = await h.run(['ps', '-a', '-q']);
      t.equal(ps.code, 0);
      t.equal(ps.stdout, '', 'ps -a -q is empty');
    });
  });
}

function findKey(v: unknown, key: string): unknown {
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k.toLowerCase() === key) return x;
      const found = findKey(x, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
