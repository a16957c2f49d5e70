import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseSubidFile, readSubids } from '../../lib/core/subid.js';
import { tempDir } from './fixtures/helpers.js';

const FILE = [
  '# subordinate ids',
  'alice:100000:65536',
  '  bob:165536:65536  ',
  '1002:231072:65536',
  '',
  'alice:300000:1000',
  '#alice:400000:1',
  'alice:bad:10',
  'alice:500000:0',
  'alice:600000:-5',
  'alice:-1:5',
  'alice:1.5:5',
  'alice:700000',
  'alicex:800000:10',
  'alice:900000:10\r',
].join('\n');

t.test('by name, in file order, all ranges', async (t) => {
  t.same(parseSubidFile(FILE, 'alice', 1001), [
    { start: 100000, count: 65536 },
    { start: 300000, count: 1000 },
    { start: 900000, count: 10 },
  ]);
  t.same(parseSubidFile(FILE, 'bob', 5000), [{ start: 165536, count: 65536 }], 'surrounding blanks trimmed');
});

t.test('by uid', async (t) => {
  t.same(parseSubidFile(FILE, 'carol', 1002), [{ start: 231072, count: 65536 }]);
  t.same(parseSubidFile('bob:10:5\n2000:20:5\n', 'bob', 2000), [{ start: 10, count: 5 }, { start: 20, count: 5 }], 'name and uid lines both count');
});

t.test('no match, comments, bad lines', async (t) => {
  t.same(parseSubidFile(FILE, 'nobody', 99), []);
  t.same(parseSubidFile('', 'alice', 1), []);
  t.same(parseSubidFile('# alice:1:2\n', 'alice', 1), []);
  t.same(parseSubidFile('alice:1:2:extra\n', 'alice', 1), [{ start: 1, count: 2 }], 'extra fields ignored');
  t.same(parseSubidFile('alice::\nalice:0:1\n', 'alice', 1), [{ start: 0, count: 1 }], 'empty count is no range');
});

t.test('an empty start field', async (t) => {
  t.same(parseSubidFile('alice::5\n', 'alice', 1), []);
});

t.test('readSubids: a missing file is no range', async (t) => {
  t.same(readSubids('/nonexistent/husk/subuid', 'alice', 1), []);
  const file = path.join(tempDir(t), 'subuid');
  fs.writeFileSync(file, 'alice:100000:65536\n');
  t.same(readSubids(file, 'alice', 1), [{ start: 100000, count: 65536 }]);
});
