// docs/podman-compatibility.md is what husk's option tables say now.
// `npm run docs` writes it again.
import fs from 'node:fs';
import t from 'tap';
import { compatTable, type PodmanInventory } from '../../lib/cli/compat-table.js';

const doc = new URL('../../docs/podman-compatibility.md', import.meta.url);
const inventory = JSON.parse(fs.readFileSync(new URL('../fixtures/podman-flags.json', import.meta.url), 'utf8')) as PodmanInventory;

t.test('docs/podman-compatibility.md is current', async (t) => {
  const table = await compatTable(inventory);
  if (process.env.HUSK_WRITE_DOCS === '1') fs.writeFileSync(doc, table);
  t.ok(fs.existsSync(doc) && fs.readFileSync(doc, 'utf8') === table, 'run `npm run docs` and commit docs/podman-compatibility.md');
});
