// husk ps [-a] [-q]
import type { CommandModule } from 'yargs';
import { listContainers } from '../../engine/containers.js';
import type { ContainerView } from '../../runtime/container-store.js';
import { contextFrom, humanDuration, table, timeAgo, type GlobalArgs } from '../common.js';

type PsArgs = GlobalArgs & { all: boolean; quiet: boolean; trunc: boolean };

export const psCommand: CommandModule<object, PsArgs> = {
  command: 'ps',
  aliases: ['ls'],
  describe: 'List containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Show all containers (default shows just running)' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only display container IDs' },
      // yargs reads --no-trunc as the negation of --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs and commands (--no-trunc: show them whole)' },
    }) as never,
  handler: (argv) => {
    const views = listContainers(contextFrom(argv), argv.all);
    if (argv.quiet) {
      process.stdout.write(views.map((v) => `${!argv.trunc ? v.record.id : v.record.id.slice(0, 12)}\n`).join(''));
      return;
    }
    const rows = views.map((v) => [
      !argv.trunc ? v.record.id : v.record.id.slice(0, 12),
      v.record.imageName,
      truncate(v.record.args.join(' '), !argv.trunc ? Infinity : 20),
      timeAgo(v.record.created),
      statusText(v),
      '',
      v.record.name,
    ]);
    process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows));
  },
};

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

export function statusText(v: ContainerView): string {
  switch (v.status) {
    case 'running':
      return `Up ${humanDuration(Date.now() - Date.parse(v.state?.startedAt ?? v.record.created))}`;
    case 'exited':
      return `Exited (${v.exit?.exitCode ?? -1}) ${timeAgo(v.exit?.finishedAt ?? v.record.created)}`;
    case 'stopped':
      return 'Stopped';
    default:
      return 'Created';
  }
}
