// husk compose ls [-a] [-q] [--format table|json] [--filter name=N]: the projects that have containers.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { listProjects } from '../../engine/compose.js';
import { many, contextFrom, lastWins, type GlobalArgs } from '../common.js';

import { printOut } from '../output.js';
import { table } from '../common.js';

type LsArgs = GlobalArgs & { all: boolean; quiet: boolean; format: string; filter: string[] };

export const composeLsCommand: CommandModule<object, LsArgs> = {
  command: 'ls',
  describe: 'List running compose projects',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Show all stopped Compose projects' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only display project names' },
      format: { type: 'string', default: 'table', coerce: lastWins, describe: 'table or json' },
      filter: { ...many('Filter output based on conditions provided: name=') },
    }) as never,
  handler: (argv) => {
    if (argv.format !== 'table' && argv.format !== 'json') throw new UsageError(`invalid --format "${argv.format}": use table or json`);
    const names = argv.filter.map((f) => {
      if (!f.startsWith('name=')) throw new UsageError(`invalid --filter "${f}": only name= is supported`);
      return f.slice(5);
    });
    const projects = listProjects(contextFrom(argv)).filter((p) => (argv.all || p.running > 0) && (!names.length || names.some((n) => p.name.includes(n))));
    if (argv.quiet) return printOut(projects.map((p) => `${p.name}\n`).join(''));
    if (argv.format === 'json') return printOut(`${JSON.stringify(projects.map((p) => ({ Name: p.name, Status: p.status, ConfigFiles: p.configFiles })))}\n`);
    printOut(table(['NAME', 'STATUS', 'CONFIG FILES'], projects.map((p) => [p.name, p.status, p.configFiles])));
  },
};
