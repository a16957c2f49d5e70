import t from 'tap';
import { boolValue, flagWords, splitRunArgs, type FlagTable } from '../../lib/systemd/run-args.js';

const VALUES: Record<string, string> = { name: 'name', e: 'env', env: 'env', p: 'publish', publish: 'publish', root: 'root' };
const BOOLS: Record<string, string> = { d: 'detach', detach: 'detach', i: 'interactive', t: 'tty', rm: 'rm', replace: 'replace' };
const table: FlagTable = {
  takesValue: (n) => (n in VALUES ? true : n in BOOLS ? false : undefined),
  canonical: (n) => VALUES[n] ?? BOOLS[n] ?? n,
};

t.test('flags with their values until the image; the rest is the container\'s', async (t) => {
  const { flags, rest } = splitRunArgs(['-dit', '--name', 'web', '-e', 'A=1', '--env=B=2', '-p8080:80', '--rm', '--replace=false', 'busybox', 'sh', '-c', '--name x'], table);
  t.same(
    flags.map((f) => [f.names, f.value, f.words]),
    [
      [['detach', 'interactive', 'tty'], undefined, ['-dit']],
      [['name'], 'web', ['--name', 'web']],
      [['env'], 'A=1', ['-e', 'A=1']],
      [['env'], 'B=2', ['--env=B=2']],
      [['publish'], '8080:80', ['-p8080:80']],
      [['rm'], undefined, ['--rm']],
      [['replace'], 'false', ['--replace=false']],
    ],
  );
  t.same(rest, ['busybox', 'sh', '-c', '--name x']);
  t.same(flagWords(flags), ['-dit', '--name', 'web', '-e', 'A=1', '--env=B=2', '-p8080:80', '--rm', '--replace=false'], 'every word is kept');
});

t.test('a short flag with a value at the end of a group takes the next word; -d=false; "--" ends the flags', async (t) => {
  const { flags, rest } = splitRunArgs(['-de', 'A=1', '-d=false', '--', 'img', '-x'], table);
  t.same(flags.map((f) => [f.names, f.value]), [[['detach', 'env'], 'A=1'], [['detach'], 'false']]);
  t.same(rest, ['--', 'img', '-x']);
  t.equal(boolValue(flags[1]!), false);
  t.equal(boolValue(flags[0]!), true);
});
