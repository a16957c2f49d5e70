import t from 'tap';
import { parseDotenv } from '../../lib/compose/dotenv.js';
import { interpolate } from '../../lib/compose/interpolate.js';

const env: Record<string, string> = { FOO: 'foo', EMPTY: '' };
const look = (n: string) => env[n];

t.test('every form', async (t) => {
  const cases: Array<[string, string]> = [
    ['${FOO}', 'foo'],
    ['$FOO/x', 'foo/x'],
    ['${UNSET:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${UNSET-def}', 'def'],
    ['${FOO:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${FOO:?err}', 'foo'],
    ['$$FOO', '$FOO'],
    ['a$$', 'a$'],
    ['${UNSET:-${FOO}-x}', 'foo-x'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['cost: 5$', 'cost: 5$'],
  ];
  for (const [input, want] of cases) t.equal(interpolate(input, look), want, input);
  const unset = new Set<string>();
  t.equal(interpolate('x${NOPE}y$NOPE2', look, unset), 'xy');
  t.same([...unset], ['NOPE', 'NOPE2']);
});

t.test('required variables', async (t) => {
  t.throws(() => interpolate('${MISSING:?set it please}', look), { message: 'required variable MISSING is missing a value: set it please' });
  t.throws(() => interpolate('${EMPTY:?}', look), { message: 'required variable EMPTY is missing a value' });
  t.equal(interpolate('${EMPTY?err}', look), '');
  t.throws(() => interpolate('${MISSING?err}', look), { message: /MISSING/ });
  t.throws(() => interpolate('${FOO', look), { message: /invalid interpolation format/ });
});

t.test('dotenv', async (t) => {
  const text = [
    '# comment',
    'A=plain value # trailing comment',
    'export B=exported',
    "C='single $A # kept'",
    'D="double\\nline ${A}"',
    'E="multi',
    'line"',
    'F=${B}-x',
    'G',
    'H=',
    '',
  ].join('\n');
  const got = parseDotenv(text, '.env', (n) => (n === 'G' ? 'from-env' : undefined));
  t.same(got, { A: 'plain value', B: 'exported', C: 'single $A # kept', D: 'double\nline plain value', E: 'multi\nline', F: 'exported-x', G: 'from-env', H: '' });
  t.throws(() => parseDotenv('1BAD=x', '.env'), { message: '.env:1: invalid variable name "1BAD"' });
});
