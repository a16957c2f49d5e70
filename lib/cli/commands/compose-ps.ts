// husk compose ps [-a] [-q] [--services] [--status S]... [--format F] [SERVICE...]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { many, contextFrom, lastWins, table } from '../common.js';
import { loadComposeProject, serviceContainers, type ComposeArgs } from '../compose-options.js';
import { renderRows } from '../format.js';
import { printOut } from '../output.js';
import { rowOf } from './ps.js';

type PsArgs = ComposeArgs & { service?: string[]; all: boolean; quiet: boolean; services: boolean; status: string[]; filter: string[]; format?: string; trunc: boolean };

const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

export const composePsCommand: CommandModule<object, PsArgs> = {
  command: 'ps [service..]',
  describe: 'List containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Show all stopped containers (including those created by the run command)' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only display IDs' },
      services: { type: 'boolean', default: false, describe: 'Display services' },
      status: { ...many(`Filter services by status: ${STATES.join(', ')}`) },
      filter: { ...many('Filter services by a property: status=') },
      format: { type: 'string', coerce: lastWins, describe: 'table (default), json, or a Go template' },
      trunc: { type: 'boolean', default: true, describe: "Truncate output (--no-trunc: don't)" },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv, { quiet: true });
    const statuses = [...argv.status, ...argv.filter.map((f) => {
      if (!f.startsWith('status=')) throw new UsageError(`invalid --filter "${f}": only status= is supported`);
      return f.slice('status='.length);
    })];
    for (const s of statuses) if (!STATES.includes(s)) throw new UsageError(`invalid status "${s}": use ${STATES.join(', ')}`);
    const state = (v: { status: string; paused?: boolean }) => (v.paused ? 'paused' : v.status === 'stopped' ? 'exited' : v.status);
    const containers = serviceContainers(ctx, project, argv.service ?? [], { oneoff: argv.all })
      .filter((c) => (statuses.length ? statuses.includes(state(c.view)) : argv.all || c.view.status === 'running'));
    if (argv.services) return printOut([...new Set(containers.map((c) => c.service))].map((s) => `${s}\n`).join(''));
    if (argv.quiet) return printOut(containers.map((c) => `${argv.trunc ? c.view.record.id.slice(0, 12) : c.view.record.id}\n`).join(''));
    const rows = containers.map((c) => ({ ...rowOf(ctx, c.view, c.view.record.id.slice(0, 12), argv.trunc), Name: c.view.record.name, Service: c.service, Project: project.name, State: state(c.view), Command: `"${c.view.record.args.join(' ')}"` }));
    if (argv.format && argv.format !== 'table') return printOut(renderRows(argv.format, rows, { Name: 'NAME', Service: 'SERVICE' }));
    printOut(table(['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], rows.map((r: Record<string, unknown>) => [r.Name, r.Image, r.Command, r.Service, r.RunningFor, r.Status, r.Ports].map(String))));
  },
};
