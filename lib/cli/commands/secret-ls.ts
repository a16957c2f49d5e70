// husk secret ls [-q] [--filter K=V]... [--format F] [--noheading]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { listSecrets, type SecretRecord } from '../../engine/secrets.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type LsArgs = GlobalArgs & { quiet: boolean; filter: string[]; format?: string; noheading: boolean };

function row(s: SecretRecord): Row {
  return { ID: s.id, Name: s.name, Driver: 'file', CreatedAt: s.createdAt, UpdatedAt: s.updatedAt };
}

/** name=TEXT (a substring, as podman), id=PREFIX. */
function matches(s: SecretRecord, filters: string[]): boolean {
  return filters.every((f) => {
    const [key, value = ''] = f.split(/=(.*)/s);
    if (key === 'name') return s.name.includes(value);
    if (key === 'id') return s.id.startsWith(value);
    throw new UsageError(`invalid --filter "${f}": use name=TEXT or id=PREFIX`);
  });
}

export const secretLsCommand: CommandModule<object, LsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List secrets',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show secret IDs' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Filter: name=TEXT, id=PREFIX' },
      format: { type: 'string', describe: 'json, or a template such as "{{.Name}}\\t{{.ID}}"' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the header' },
    }) as never,
  handler: (argv) => {
    const secrets = listSecrets(contextFrom(argv)).filter((s) => matches(s, argv.filter));
    if (argv.quiet) return printOut(secrets.map((s) => `${s.id}\n`).join(''));
    if (argv.format === 'json') return printOut(`${JSON.stringify(secrets.map(row), null, 4)}\n`);
    if (argv.format) return printOut(renderRows(argv.format, secrets.map(row)));
    const text = table(['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED'], secrets.map((s) => [s.id, s.name, 'file', s.createdAt, s.updatedAt]));
    printOut(argv.noheading ? text.split('\n').slice(1).join('\n') : text);
  },
};
