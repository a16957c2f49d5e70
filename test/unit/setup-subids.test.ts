// test/fixtures/subids.mjs: the subordinate range the test setup gives its
// user when it has none, and the range the tests then read back.
import t from 'tap';

interface Range {
  start: number;
  count: number;
}
interface SubidsModule {
  rangesIn(text: string): Array<Range & { owner: string }>;
  firstRange(text: string, user: string, uid: number): Range | undefined;
  freeRange(texts: string[], count?: number, min?: number): Range;
}
const spec = '../fixtures/subids.mjs'; // a variable: the .mjs has no type declarations
const { firstRange, freeRange, rangesIn } = (await import(spec)) as SubidsModule;

t.test('setup picks a free range when another user already holds 100000:65536', async (t) => {
  t.same(freeRange(['', '']), { start: 100000, count: 65536 }, 'an empty machine: the first range');
  t.same(freeRange(['alice:100000:65536\n', 'alice:100000:65536\n']), { start: 165536, count: 65536 }, 'after the range another user holds');
  t.same(freeRange(['alice:100000:65536\n', 'bob:165536:65536\n']), { start: 231072, count: 65536 }, 'free in both files');
  t.same(freeRange(['alice:100000:1000\ncarol:300000:65536\n', '']), { start: 101000, count: 65536 }, 'a gap large enough is taken');
  t.same(freeRange(['alice:100000:1000\ncarol:120000:65536\n', '']), { start: 185536, count: 65536 }, 'a gap too small is not');
  t.same(freeRange(['root:10:65536000\n', '']), { start: 65536010, count: 65536 }, 'a range starting below the minimum counts too');
});

t.test('the range the tests read: the first of the user, by name or uid', async (t) => {
  const text = '# comment\nalice:100000:65536\nhusktest:165536:65536\nhusktest:300000:10\n1001:400000:5\n';
  t.same(firstRange(text, 'husktest', 1001), { start: 165536, count: 65536 });
  t.same(firstRange('1001:400000:5\n', 'husktest', 1001), { start: 400000, count: 5 });
  t.equal(firstRange(text, 'nobody', 9), undefined);
  t.equal(rangesIn(text).length, 4, 'comments and blank lines skipped');
});
