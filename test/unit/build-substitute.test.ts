import { readFileSync } from 'node:fs';
import t from 'tap';
import type { Test } from 'tap';
import { ArgScope, SubstitutionError, globToRegExp, platformArgs, substitute, substituteHeredoc, substituteWords, withLocation } from '../../lib/build/substitute.js';

const env: Record<string, string> = { FOO: 'foo', EMPTY: '', SPACE: 'a b', PATH_: 'path/to/file.tar.gz', Q: 'it"s' };
const look = (n: string) => env[n];
const lookIn = (e: Record<string, string>) => (n: string) => (Object.hasOwn(e, n) ? e[n] : undefined);
function throwsSub(t: Test, fn: () => unknown, name = '') {
  try {
    const got = fn();
    t.fail(`expected a SubstitutionError, got ${JSON.stringify(got)}`, { name });
  } catch (err) {
    t.ok(err instanceof SubstitutionError, `${name}: ${(err as Error).message}`);
  }
}
const fixture = (name: string) => readFileSync(new URL(`../fixtures/buildkit/${name}`, import.meta.url), 'utf8');

// buildkit's frontend/dockerfile/shell/envVarTest, verbatim: PLATFORM|input|expected (or "error").
t.test('buildkit envVarTest', async (t) => {
  const envs = lookIn({ PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' });
  let n = 0;
  for (const raw of fixture('envVarTest').split('\n')) {
    if (raw.startsWith('#')) continue;
    const line = raw.trim();
    if (line === '') continue;
    const [platform, source, expected] = line.split('|').map((s) => s.trim()) as [string, string, string];
    if (platform === 'W') continue; // Windows: case-insensitive names
    n++;
    if (expected === 'error') throwsSub(t, () => substitute(source, envs), source);
    else t.equal(substitute(source, envs), expected, source);
  }
  t.ok(n > 200, `${n} vectors`);
});

// buildkit's frontend/dockerfile/shell/wordsTest, verbatim: ENV lines add to the environment; input|word,word.
t.test('buildkit wordsTest', async (t) => {
  const envs: Record<string, string> = {};
  for (const line of fixture('wordsTest').split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('ENV ')) {
      const kv = line.slice(3).replace(/^ +/, '');
      const eq = kv.indexOf('=');
      envs[kv.slice(0, eq)] = kv.slice(eq + 1);
      continue;
    }
    const [input, output] = line.split('|') as [string, string];
    const expected = output.replace(/^ +/, '').split(',');
    let got: string[];
    try {
      got = substituteWords(input.trim(), lookIn(envs));
    } catch {
      got = ['error'];
    }
    t.same(got, expected, input);
  }
});

// TestProcessWithMatches in buildkit's lex_test.go: [input, env, expected] (undefined: an error).
const MATCHES: Array<[string, Record<string, string>, string | undefined]> = [
  ['x', { DUMMY: 'dummy' }, 'x'],
  ['x ${UNUSED}', { DUMMY: 'dummy' }, 'x '],
  ['x ${FOO}', { FOO: 'y' }, 'x y'],
  ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc'],
  ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc'],
  ['${FOO:-}', { FOO: 'xxx', BAR: '' }, 'xxx'],
  ['${FOO:-}', {}, ''],
  ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb '],
  ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  '],
  ['${FOO?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx'],
  ['${BAR?bbb}', { FOO: 'xxx', BAR: '' }, ''],
  ['${BAZ?ccc}', { FOO: 'xxx', BAR: '' }, undefined],
  ['${FOO:?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx'],
  ['${BAR:?bbb}', { FOO: 'xxx', BAR: '' }, undefined],
  ['${BAZ:?ccc}', { FOO: 'xxx', BAR: '' }, undefined],
  ['${BAZ:?}', { FOO: 'xxx', BAR: '' }, undefined],
  ['${FOO=aaa}', { FOO: 'xxx', BAR: '' }, undefined],
  ['${FOO=:aaa}', { FOO: 'xxx', BAR: '' }, undefined],
  ['${FOO=}', {}, undefined],
  ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
  ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
  ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
  ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
  ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
  ['${FOO#}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
  ['${FOO##}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
  ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
  ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
  ['${FOO%}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
  ['${FOO:#}', {}, undefined],
  ['${FOO:##}', {}, undefined],
  ['${FOO:%}', {}, undefined],
  ['${FOO:%%}', {}, undefined],
  ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
  ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
  ['${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' }, '/foo/b/c.txt - /foo/c.txt'],
  ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de'],
  ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
  ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
  ['${FOO//ww}', { FOO: 'xxyy' }, undefined],
  ['${FOO//}', { FOO: 'xxyy' }, undefined],
  ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
  ['${FOO///}', {}, ''],
];

t.test('buildkit TestProcessWithMatches', async (t) => {
  for (const [input, e, expected] of MATCHES) {
    if (expected === undefined) throwsSub(t, () => substitute(input, lookIn(e)), input);
    else t.equal(substitute(input, lookIn(e)), expected, input);
  }
});

t.test('buildkit TestProcessWithMatchesPlatform', async (t) => {
  const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
  t.equal(substitute(release, lookIn({ VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7' })), 'something-v1.2.3.linux-arm-v7.tar.gz');
  t.equal(substitute(release, lookIn({ VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm64', TARGETVARIANT: '' })), 'something-v1.2.3.linux-arm64.tar.gz');
  t.equal(substitute(release, lookIn({ VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm64' })), 'something-v1.2.3.linux-arm64.tar.gz');
});

t.test('buildkit TestShellParserMandatoryEnvVars', async (t) => {
  const set = lookIn({ VAR: 'plain', ARG: 'x' });
  const empty = lookIn({ VAR: '', ARG: 'x' });
  const unset = lookIn({ ARG: 'x' });
  const noEmpty = '${VAR:?message here$ARG}';
  const noUnset = '${VAR?message here$ARG}';
  t.equal(substitute(noEmpty, set), 'plain');
  t.throws(() => substitute(noEmpty, empty), /message herex/);
  t.throws(() => substitute(noEmpty, unset), /message herex/);
  t.equal(substitute(noUnset, set), 'plain');
  t.equal(substitute(noUnset, empty), '');
  t.throws(() => substitute(noUnset, unset), /message herex/);
  // The message as buildkit words it.
  t.throws(() => substitute('${NOPE:?}', look), { message: 'failed to process "${NOPE:?}": NOPE: is not allowed to be unset' });
  t.throws(() => substitute('${EMPTY:?}', look), { message: 'failed to process "${EMPTY:?}": EMPTY: is not allowed to be empty' });
});

t.test('buildkit TestConvertShellPatternToRegex', async (t) => {
  const dot = (s: string) => s.replaceAll('[^\\n]', '.');
  const cases: Array<[string, string]> = [
    ['*', '^.*'],
    ['?', '^.'],
    ['\\*', '^\\*'],
    ['(()[]{\\}^$.\\*\\?|\\\\', '^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\'],
  ];
  for (const [pattern, want] of cases) t.equal(dot(globToRegExp(pattern, true, true)), want, pattern);
  for (const pattern of ['\\', '\\x', '\\\\\\']) throwsSub(t, () => globToRegExp(pattern, true, true), pattern);
  t.equal(dot(globToRegExp('a*b', false)), 'a.*?b');
});

t.test('reversed patterns for % and %% (TestReversePattern through trimSuffix)', async (t) => {
  t.equal(substitute('${V%c\\*a}', lookIn({ V: 'xxc*a' })), 'xx');
  t.equal(substitute('${V%%🚀*}', lookIn({ V: '👽🚀🖖🚀x' })), '👽');
  t.equal(substitute('${V%🚀*}', lookIn({ V: '👽🚀🖖🚀x' })), '👽🚀🖖');
});

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
    ['${PATH_%[gz]z}', 'path/to/file.tar.gz'], // no bracket expressions: [ is literal
    ['${PATH_%z}', 'path/to/file.tar.g'],
    ['${PATH_/*\\//}', 'file.tar.gz'], // the * of a replacement is greedy
    ['${PATH_//?/x}', 'xxxxxxxxxxxxxxxxxxx'],
    ['${NOPE//a/b}', ''],
    ['${FOO//o/$$}', 'f'], // $$ is a special parameter, empty
    // The replacement keeps its escapes; replacing all goes through Go's Regexp.Expand ($0 is the match).
    ['${FOO//o/<\\$0>}', 'f<\\o><\\o>'],
    ['${FOO/o/<\\$0>}', 'f<\\$0>o'],
    ['${NOPE:-"a b"}', 'a b'],
    ['${NOPE:-${FOO}}', 'foo'],
    ['"${NOPE:-\'x\'}"', 'x'],
    ['\\', ''],
    ['x\\', 'x'],
    ['$안녕', ''],
    ['$$x', 'x'],
    ['\'\\$FOO\'', '\\$FOO'],
    ['a <<  b', 'a <<  b'],
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

t.test('heredoc contents: quotes are plain characters, \\ escapes', async (t) => {
  t.equal(substituteHeredoc('echo "$FOO" \'$FOO\' \\$FOO\n', look), 'echo "foo" \'foo\' $FOO\n');
  throwsSub(t, () => substituteHeredoc('${FOO', look));
});

t.test('substitution errors located like DockerfileError', async (t) => {
  const instr = { kind: 'WORKDIR', line: 7 };
  t.throws(() => withLocation('sub/Dockerfile', instr, () => substitute('${NOPE:?set it}', look)), {
    message: 'sub/Dockerfile:7: WORKDIR: failed to process "${NOPE:?set it}": NOPE: set it',
    file: 'sub/Dockerfile',
    line: 7,
    instruction: 'WORKDIR',
    exitCode: 125,
  });
  t.equal(withLocation('Dockerfile', instr, () => substitute('$FOO', look)), 'foo');
  try {
    substitute("'x", look);
  } catch (err) {
    t.ok(err instanceof SubstitutionError);
    const located = (err as SubstitutionError).at('Dockerfile', 3, 'ENV');
    t.ok(located instanceof SubstitutionError);
    t.equal(located.message, 'Dockerfile:3: ENV: failed to process "\'x": unexpected end of statement while looking for matching single-quote');
    t.equal(located.at('Other', 9, 'RUN'), located, 'located once');
  }
  const other = new Error('x');
  t.throws(() => withLocation('Dockerfile', instr, () => { throw other; }), other);
});
