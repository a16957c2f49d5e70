// --format for listings: json, {{.Field}} placeholders, {{json .Field}}, the table prefix.
import t from 'tap';
import { UsageError } from '../../lib/engine/errors.js';
import { renderRows } from '../../lib/cli/format.js';

const rows = [
  { Repository: 'localhost/busybox', Tag: 'latest', ID: 'a13b768ca8d6', Names: ['a', 'b'] },
  { Repository: 'docker.io/library/alpine', Tag: '3.20', ID: 'ffff00001111', Names: [] },
];

t.test('placeholders, one line per row', async (t) => {
  t.equal(renderRows('{{.Repository}}:{{.Tag}}', rows), 'localhost/busybox:latest\ndocker.io/library/alpine:3.20\n');
  t.equal(renderRows('{{ .ID }}', rows.slice(0, 1)), 'a13b768ca8d6\n', 'spaces inside braces');
  t.equal(renderRows('{{.Names}}', rows.slice(0, 1)), 'a,b\n', 'lists joined with commas');
  t.equal(renderRows('{{json .Names}}', rows.slice(0, 1)), '["a","b"]\n');
  t.equal(renderRows('{{json .}}', rows.slice(1)), `${JSON.stringify(rows[1])}\n`);
});

t.test('table prefix: a header, columns padded', async (t) => {
  t.equal(
    renderRows('table {{.ID}}\\t{{.Tag}}', rows),
    'ID             TAG\na13b768ca8d6   latest\nffff00001111   3.20\n',
  );
});

t.test('json', async (t) => {
  t.same(JSON.parse(renderRows('json', rows)), rows);
});

t.test('an unknown field is a usage error naming the fields', async (t) => {
  let caught: unknown;
  try {
    renderRows('{{.Bogus}}', rows);
  } catch (err) {
    caught = err;
  }
  t.ok(caught instanceof UsageError, 'a UsageError (exit 125)');
  t.match((caught as Error).message, /can't evaluate field Bogus: use one of Repository, Tag, ID, Names/);
});
