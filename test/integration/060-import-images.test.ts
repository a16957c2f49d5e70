// husk import (docker/podman import) and husk images; hostile archives are
// refused (one named test each, as security regressions).
import fs from 'node:fs';
import t, { type Test } from 'tap';
import { fixtures, lines, modes, newHusk } from '../helpers/husk.js';
import { findNamed } from '../helpers/files.js';

type Hostile = Record<string, (...a: unknown[]) => Buffer | Promise<Buffer>>;
let hostile: Hostile | undefined;
try {
  const spec = '../fixtures/hostile-tars.mjs'; // a variable: the .mjs has no type declarations
  hostile = (await import(spec)) as Hostile;
} catch (e) {
  hostile = undefined;
  t.comment(`test/fixtures/hostile-tars.mjs not loadable: ${(e as Error).message}`);
}

/** Paths outside any store that a hostile archive aims at. */
const TARGETS = ['/abs-escape', '/tmp/escape', '/tmp/husk-outside/escape', '/escape', '/etc/escape'];

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());

    t.test('import from a file', async (t) => {
      const r = await h.run(['import', fixtures.busyboxTar, 'bb:file']);
      t.equal(r.code, 0);
      t.match(r.stdout, /^(sha256:)?[0-9a-f]{64}\n$/, 'prints the image id');
      const run = await h.run(['run', '--rm', 'bb:file', 'echo', 'from file']);
      t.same([run.code, run.stdout], [0, 'from file\n'], 'the image runs');
    });

    t.test('import from stdin (-)', async (t) => {
      const r = await h.run(['import', '-', 'bb:stdin'], { input: fs.readFileSync(fixtures.busyboxTar) });
      t.equal(r.code, 0);
      const run = await h.run(['run', '--rm', 'bb:stdin', 'echo', 'from stdin']);
      t.same([run.code, run.stdout], [0, 'from stdin\n']);
    });

    t.test('images lists what was imported', async (t) => {
      const r = await h.run(['images']);
      t.equal(r.code, 0);
      t.match(r.stdout, /REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/, 'docker-style header');
      t.match(r.stdout, /\bbb\s+file\s+[0-9a-f]{12}\b/, 'bb:file with a short id');
      t.match(r.stdout, /\bbb\s+stdin\b/, 'bb:stdin');
      t.equal(lines(r.stdout).length, 3, 'a header and two rows');
    });

    t.test('an image without a tag is :latest', async (t) => {
      const r = await h.run(['import', fixtures.busyboxTar, 'plain']);
      t.equal(r.code, 0);
      const images = await h.run(['images']);
      t.match(images.stdout, /\bplain\s+latest\b/);
      const run = await h.run(['run', '--rm', 'plain:latest', 'true']);
      t.equal(run.code, 0);
    });

    t.test('--change CMD', async (t) => {
      await h.importBusybox(['CMD ["echo", "from-cmd"]'], 'chg:cmd');
      const r = await h.run(['run', '--rm', 'chg:cmd']);
      t.same([r.code, r.stdout], [0, 'from-cmd\n'], 'runs the CMD when no command is given');
      const o = await h.run(['run', '--rm', 'chg:cmd', 'echo', 'given']);
      t.equal(o.stdout, 'given\n', 'a command given to run replaces it');
    });

    t.test('--change ENV', async (t) => {
      await h.importBusybox(['ENV FOO=bar', 'ENV ONE=1 TWO=2'], 'chg:env');
      const r = await h.run(['run', '--rm', 'chg:env', 'sh', '-c', 'echo "$FOO $ONE $TWO"']);
      t.same([r.code, r.stdout], [0, 'bar 1 2\n']);
      const o = await h.run(['run', '--rm', '-e', 'FOO=over', 'chg:env', 'sh', '-c', 'echo $FOO']);
      t.equal(o.stdout, 'over\n', 'run -e overrides the image ENV');
    });

    t.test('--change WORKDIR', async (t) => {
      await h.importBusybox(['WORKDIR /tmp'], 'chg:wd');
      const r = await h.run(['run', '--rm', 'chg:wd', 'pwd']);
      t.same([r.code, r.stdout], [0, '/tmp\n']);
    });

    t.test('--change ENTRYPOINT', async (t) => {
      await h.importBusybox(['ENTRYPOINT ["/bin/echo", "ep"]'], 'chg:ep');
      const r = await h.run(['run', '--rm', 'chg:ep', 'arg']);
      t.same([r.code, r.stdout], [0, 'ep arg\n'], 'the command is appended to the ENTRYPOINT');
    });

    t.test('--change USER', async (t) => {
      await h.importBusybox(['USER app'], 'chg:user');
      const r = await h.run(['run', '--rm', 'chg:user', 'id', '-u']);
      t.same([r.code, r.stdout], [0, '1000\n']);
      const o = await h.run(['run', '--rm', '-u', '0', 'chg:user', 'id', '-u']);
      t.equal(o.stdout, '0\n', 'run -u overrides it');
    });

    t.test('bad input is refused with 125', async (t) => {
      const before = h.listStore();
      const missing = await h.run(['import', '/nonexistent.tar', 'x:y']);
      t.equal(missing.code, 125, 'a missing file');
      t.equal(lines(missing.stderr).length, 1, 'one line on stderr');
      t.match(missing.stderr, /nonexistent\.tar/);
      const garbage = await h.run(['import', h.writeFile('garbage.tar', 'this is not a tar archive\n'.repeat(100)), 'x:y']);
      t.equal(garbage.code, 125, 'not a tar archive');
      t.equal(lines(garbage.stderr).length, 1, 'one line on stderr');
      const badChange = await h.run(['import', '--change', 'FROBNICATE yes', fixtures.busyboxTar, 'x:y']);
      t.equal(badChange.code, 125, 'an unknown --change instruction');
      t.match(badChange.stderr, /FROBNICATE/i);
      const badName = await h.run(['import', fixtures.busyboxTar, 'UPPER:case']);
      t.equal(badName.code, 125, 'an invalid image name');
      t.same(h.listStore(), before, 'nothing written to the store');
    });

    /** Imports a hostile archive and checks that it is refused and wrote nothing anywhere. */
    const refuses = async (t: Test, name: string, make: () => Buffer | Promise<Buffer>) => {
      const tar = h.writeFile(`${name}.tar`, await make());
      const beforeStore = h.listStore();
      const beforeTargets = TARGETS.filter((p) => fs.existsSync(p));
      const passwd = fs.readFileSync('/etc/passwd');
      const passwdLinks = fs.statSync('/etc/passwd').nlink;
      const r = await h.run(['import', tar, `hostile:${name.toLowerCase()}`]);
      t.equal(r.code, 125, 'refused with 125');
      t.equal(lines(r.stderr).length, 1, 'one line on stderr');
      t.match(r.stderr, /\S/, 'saying why');
      t.same(h.listStore(), beforeStore, 'nothing written to the store');
      t.same(TARGETS.filter((p) => fs.existsSync(p)), beforeTargets, 'nothing written outside');
      t.notOk(findNamed(h.dir, ['escape', 'abs-escape', 'hl', 'hl2']), 'no escaped file anywhere in the test directory');
      t.same(fs.readFileSync('/etc/passwd'), passwd, '/etc/passwd untouched');
      t.equal(fs.statSync('/etc/passwd').nlink, passwdLinks, '/etc/passwd got no new hard link');
      const images = await h.run(['images']);
      t.notMatch(images.stdout, /hostile/, 'no image was created');
    };

    t.test('hostile archives', { skip: hostile ? false : 'test/fixtures/hostile-tars.mjs missing' }, async (t) => {
      const x = hostile!;
      t.test('layer path traversal (../) is refused', (t) => refuses(t, 'dotdot', () => x.dotdot!()));
      t.test('absolute layer path (/abs) is refused', (t) => refuses(t, 'absolute', () => x.absolute!()));
      t.test('write through a symlinked parent (absolute target) is refused', (t) =>
        refuses(t, 'symlinkParent', () => x.symlinkParent!()),
      );
      t.test('write through a symlinked parent (../../.. target) is refused', (t) =>
        refuses(t, 'symlinkParentRelative', () => x.symlinkParentRelative!()),
      );
      t.test('hard link to ../../etc/passwd is refused', (t) => refuses(t, 'hardlinkDotdot', () => x.hardlinkDotdot!()));
      t.test('hard link to /etc/passwd is refused', (t) => refuses(t, 'hardlinkAbsolute', () => x.hardlinkAbsolute!()));
      t.test('hard links outside the layer are refused', (t) => refuses(t, 'hardlinkOutside', () => x.hardlinkOutside!()));
      t.test('hard link through a symlink to /etc is refused', (t) =>
        refuses(t, 'hardlinkViaSymlink', () => x.hardlinkViaSymlink!()),
      );

      t.test('whiteout entries are not materialised as files', async (t) => {
        // An imported tarball is a single (base) layer: its whiteouts hide
        // nothing and must not show up as .wh.* files. The whiteout entries
        // are appended to the busybox root filesystem so there is a shell.
        const tar = h.writeFile('whiteouts.tar', Buffer.concat([tarEntries(fs.readFileSync(fixtures.busyboxTar)), await x.whiteouts!()]));
        const r = await h.run(['import', tar, 'wh:test']);
        t.equal(r.code, 0, 'imported');
        const ls = await h.run(['run', '--rm', 'wh:test', 'sh', '-c', 'ls -A /a /c; cat /a/keep /c/new /top']);
        t.equal(ls.code, 0);
        t.notMatch(ls.stdout, /\.wh\./, 'no .wh.* files');
        t.match(ls.stdout, /^keep$/m, '/a/keep is there');
        t.match(ls.stdout, /^new$/m, '/c/new is there');
        t.match(ls.stdout, /keep\nnew\ntop\n$/, 'with their content');
      });

      t.test('a valid archive imports', async (t) => {
        const tar = h.writeFile('valid.tar', await x.valid!());
        const r = await h.run(['import', tar, 'valid:test']);
        t.equal(r.code, 0, 'imported');
        t.equal(r.stderr, '');
        const images = await h.run(['images']);
        t.match(images.stdout, /\bvalid\s+test\b/, 'listed');
      });
    });
  });
}


/** A tar archive without its end-of-archive blocks, so that entries can be appended. */
function tarEntries(buf: Buffer): Buffer {
  let off = 0;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return buf.subarray(0, off);
}
