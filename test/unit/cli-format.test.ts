// --format for listings and inspect: json, Go templates, the table prefix and its header.
import t from 'tap';
import { UsageError } from '../../lib/core/errors.js';
import { parseTemplate, renderOne, renderRows } from '../../lib/cli/format.js';

const rows = [
  { Repository: 'localhost/busybox', Tag: 'latest', ID: 'a13b768ca8d6', Names: ['a', 'b'] },
  { Repository: 'docker.io/library/alpine', Tag: '3.20', ID: 'ffff00001111', Names: [] },
];

t.test('placeholders, one line per row', async (t) => {
  t.equal(renderRows('{{.Repository}}:{{.Tag}}', rows), 'localhost/busybox:latest\ndocker.io/library/alpine:3.20\n');
  t.equal(renderRows('{{ .ID }}', rows.slice(0, 1)), 'a13b768ca8d6\n', 'spaces inside braces');
  t.equal(renderRows('{{.Names}}', rows.slice(0, 1)), '[a b]\n', 'lists printed as Go prints a slice (podman images shows Names so)');
  t.equal(renderRows('{{join .Names ","}}', rows.slice(0, 1)), 'a,b\n', 'join for commas');
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

const containers = [
  { ID: 'c0ffee', Names: ['web', 'www'], Labels: { app: 'shop', tier: 'front' }, State: { Running: true, Pid: 42 }, CreatedSince: '2 hours ago' },
  { ID: 'decade', Names: ['db'], Labels: {}, State: { Running: false, Pid: 0 }, CreatedSince: '3 days ago' },
];

t.test('table headers of complex templates name the field each column shows', async (t) => {
  t.equal(
    renderRows('table {{.ID}}\\t{{.State.Pid}}\\t{{json .Labels}}\\t{{join .Names ","}}', containers),
    [
      'ID       PID   LABELS                          NAMES',
      'c0ffee   42    {"app":"shop","tier":"front"}   web,www',
      'decade   0     {}                              db',
      '',
    ].join('\n'),
  );
  t.equal(
    renderRows('table {{if .State.Running}}up{{else}}down{{end}}\\t{{range .Names}}{{.}} {{end}}\\t{{.CreatedSince | upper}}\\t{{.Labels.app}}', containers),
    ['RUNNING   NAMES      CREATED SINCE   APP', 'up        web www    2 HOURS AGO     shop', 'down      db         3 DAYS AGO      <no value>', ''].join('\n'),
    'if, range and pipelines; a missing label prints as Go prints it',
  );
  t.equal(
    renderRows('table {{$n := .ID}}{{$n}}\\t{{printf "%.3s" $.ID}}', containers.slice(0, 1)),
    '         ID\nc0ffee   c0f\n',
    'a declaration, or a variable without fields, names no column',
  );
  t.equal(renderRows('table {{.ID}}\\t{{.Names}}', []), 'ID   NAMES\n', 'no rows: the header alone');
});

t.test('a tab typed as \\t in the text, a real tab in a string', async (t) => {
  t.equal(renderRows('{{.ID}}\\t{{.CreatedSince}}', containers.slice(0, 1)), 'c0ffee\t2 hours ago\n');
  t.equal(renderRows('{{join .Names "\\t"}}', containers.slice(0, 1)), 'web\twww\n', 'Go string escapes inside actions');
  t.equal(renderRows('{{.ID}}\\n{{.CreatedSince}}', containers.slice(0, 1)), 'c0ffee\n2 hours ago\n');
});

t.test('plain templates: one line per row, nested fields, Go functions', async (t) => {
  t.equal(renderRows('{{.ID}} {{.State.Running}} {{len .Names}}', containers), 'c0ffee true 2\ndecade false 1\n');
  t.equal(renderRows('{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}', containers), 'app=shop;tier=front;\n\n');
  t.equal(renderRows('{{.ID}}', []), '', 'no rows, no output');
});

t.test('renderOne for inspect --format', async (t) => {
  const record = { Id: 'abc', Config: { Env: ['A=1', 'B=2'], Labels: { 'com.example': 'x' } }, State: { Status: 'running' } };
  t.equal(renderOne('{{.State.Status}}', record), 'running\n');
  t.equal(renderOne('{{index .Config.Labels "com.example"}} {{.Config.Env}}', record), 'x [A=1 B=2]\n');
  t.equal(renderOne('{{json .Config}}', record), '{"Env":["A=1","B=2"],"Labels":{"com.example":"x"}}\n');
  t.same(JSON.parse(renderOne('json', record)), record, 'json: the whole value');
  t.equal(renderOne('json', record), `${JSON.stringify(record, null, 2)}\n`, 'pretty-printed');
  t.equal(renderOne('table {{.Id}}', record), 'table abc\n', 'no table prefix for inspect');
  t.match(
    (() => {
      try {
        renderOne('{{.State.Bogus}}', record);
      } catch (err) {
        return err instanceof UsageError ? err.message : 'not a UsageError';
      }
      return 'no error';
    })(),
    /can't evaluate field Bogus: use one of Status/,
  );
});

t.test('parseTemplate: a bad format fails before any work, a good one is reused', async (t) => {
  t.throws(() => parseTemplate('{{.ID'), new UsageError('template: :1: unclosed action'));
  t.throws(() => parseTemplate('table {{nope .ID}}'), new UsageError('template: :1: function "nope" not defined'));
  t.same(parseTemplate('json'), { kind: 'json' });
  const table = parseTemplate('table {{.ID}}');
  t.equal(table.kind, 'table');
  t.equal(renderRows(table, containers), 'ID\nc0ffee\ndecade\n');
  t.equal(parseTemplate('table {{.ID}}', { table: false }).kind, 'lines');
  t.equal(renderOne(parseTemplate('{{.ID}}', { table: false }), containers[0]), 'c0ffee\n');
});
