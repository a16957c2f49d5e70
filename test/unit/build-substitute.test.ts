import t from 'tap';
import type { Test } from 'tap';
import { ArgScope, SubstitutionError, platformArgs, substitute, substituteWords } from '../../lib/build/substitute.js';

const env: Record<string, string> = { FOO: 'foo', EMPTY: '', SPACE: 'a b', PATH_: 'path/to/file.tar.gz', Q: 'it"s' };
const look = (n: string) => env[n];

t.test('substitution table (docker documented forms)', async (t) => {
  const cases: Array<[string, string]> = [
    ['$FOO', 'foo'],
    ['${FOO}', 'foo'],
    ['${FOO}bar', 'foobar'],
    ['$FOO/bar', 'foo/bar'],
    ['$NOPE', ''],
    ['${NOPE:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${NOPE-def}', 'def'],
    ['${FOO:-def}', 'foo'],
    ['${FOO:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${NOPE+alt}', ''],
    ['${NOPE:-$FOO}', 'foo'],
    ['${PATH_#*/}', 'to/file.tar.gz'],
    ['${PATH_##*/}', 'file.tar.gz'],
    ['${PATH_%.*}', 'path/to/file.tar'],
    ['${PATH_%%.*}', 'path/to/file'],
    ['${PATH_#p?th}', '/to/file.tar.gz'],
    ['${PATH_%[gz]z}', 'path/to/file.tar.'],
    ['${PATH_/to/from}', 'path/from/file.tar.gz'],
    ['\\$FOO', '$FOO'],
    ["'$FOO'", '$FOO'],
    ['"$FOO"', 'foo'],
    ['"\\$FOO"', '$FOO'],
    ['"a\\b"', 'a\\b'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$1x', 'x'],
  ];
  for (const [input, want] of cases) t.equal(substitute(input, look), want, input);
});

t.test('escape character ` (escape directive)', async (t) => {
  t.equal(substitute('`$FOO c:\\x', look, { escape: '`' }), '$FOO c:\\x');
});

function refused(t: Test, text: string) {
  try {
    substitute(text, look);
    t.fail(`expected SubstitutionError for ${text}`);
  } catch (err) {
    t.ok(err instanceof SubstitutionError, `${text}: ${(err as Error).message}`);
  }
}

t.test('errors', async (t) => {
  refused(t, "'abc");
  refused(t, '"abc');
  refused(t, '${FOO');
  refused(t, '${FOO:x}');
  t.throws(() => substitute('${NOPE:?must be set}', look), /NOPE: must be set/);
  refused(t, '${}');
});

t.test('words: split after substitution, quotes respected', async (t) => {
  t.same(substituteWords('$SPACE "$SPACE" c', look), ['a', 'b', 'a b', 'c']);
  t.same(substituteWords("'x y' z\\ w $Q", look), ['x y', 'z w', 'it"s']);
  t.same(substituteWords('  ', look), []);
});

t.test('ARG scoping across stages', async (t) => {
  const scope = new ArgScope({ buildArgs: { VERSION: '2', HTTP_PROXY: 'http://p' }, platform: platformArgs({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }) });
  scope.declareGlobal('VERSION', '1');
  scope.declareGlobal('BASE', 'alpine:$VERSION');
  t.equal(substitute('${BASE}', scope.fromLookup), 'alpine:2');
  t.equal(substitute('$TARGETPLATFORM $BUILDARCH', scope.fromLookup), 'linux/arm64/v8 amd64');

  const s1 = scope.stage();
  t.equal(s1.substitute('[$BASE][$TARGETARCH]'), '[][]', 'globals and platform args are not visible until declared');
  s1.declareArg('BASE');
  s1.declareArg('TARGETARCH');
  t.equal(s1.substitute('$BASE $TARGETARCH'), 'alpine:2 arm64');
  s1.declareArg('LOCAL', '${BASE}-x');
  t.equal(s1.substitute('$LOCAL'), 'alpine:2-x');
  s1.setEnv('LOCAL', 'from-env');
  s1.declareArg('LOCAL', 'again');
  t.equal(s1.substitute('$LOCAL'), 'from-env', 'ENV wins over ARG');
  t.same(s1.runEnvironment(), { HTTP_PROXY: 'http://p', BASE: 'alpine:2', TARGETARCH: 'arm64', LOCAL: 'from-env' });

  const s2 = scope.stage();
  t.equal(s2.substitute('$LOCAL$BASE'), '', 'a new stage starts empty');
  s2.declareArg('VERSION', '9');
  t.equal(s2.substitute('$VERSION'), '2', '--build-arg beats the default');
  s2.declareArg('UNSET');
  t.equal(s2.substitute('${UNSET-unset}'), 'unset');
  t.same([...scope.usedBuildArgs].sort(), ['HTTP_PROXY', 'VERSION']);
});
