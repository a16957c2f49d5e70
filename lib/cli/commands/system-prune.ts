// husk system prune [-a] [--volumes] [--external] [-f] [--filter K=V]...
import type { CommandModule } from 'yargs';
import { messageFor, UsageError } from '../../core/errors.js';
import { pruneExternal, systemPrune, type SystemPruneReport } from '../../engine/system-prune.js';
import { contextFrom, humanSize, type GlobalArgs } from '../common.js';
import { ignoredFlag } from '../compat.js';
import { confirm } from '../confirm.js';
import { printOut } from '../output.js';

type PruneArgs = GlobalArgs & { all: boolean; volumes: boolean; external: boolean; force: boolean; filter: string[] };

function warning(argv: PruneArgs): string {
  const lines = [
    'all stopped containers',
    ...(argv.volumes ? ['all volumes not used by at least one container'] : []),
    'all networks not used by at least one container',
    argv.all ? 'all images without at least one container associated with them' : 'all dangling images',
    argv.all ? 'all build cache' : 'all dangling build cache',
  ];
  return `WARNING! This command removes:\n${lines.map((l) => `\t- ${l}\n`).join('')}\n`;
}

function printSection(title: string, reports: Array<{ name: string; error?: Error }>): void {
  if (!reports.length) return;
  printOut(`Deleted ${title}\n`);
  for (const r of reports) {
    if (r.error) {
      process.stderr.write(`Error: ${messageFor(r.error)}\n`);
      process.exitCode = 125;
    } else printOut(`${r.name}\n`);
  }
}

function printReport(r: SystemPruneReport): void {
  printSection('Containers', r.containers);
  printSection('Pods', r.pods);
  printSection('Volumes', r.volumes);
  printSection('Networks', r.networks);
  printSection('Images', r.images);
  printOut(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
}

export const systemPruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove stopped containers, unused pods and networks, dangling images (and more with -a, --volumes)',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Every image no container uses, not only dangling ones' },
      volumes: { type: 'boolean', default: false, describe: 'Unused volumes too' },
      external: { type: 'boolean', default: false, describe: 'Only clean up what a husk killed midway left behind (container directories without a record)' },
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask for confirmation' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'label=K[=V], label!=K[=V], until=TIME: which containers, images, networks and volumes go' },
      build: ignoredFlag('build', 'boolean', 'husk builds leave no build containers behind: a build removes its RUN containers as it goes'),
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    if (argv.external) {
      if (argv.all || argv.filter.length || argv.volumes) throw new UsageError('--external is incompatible with --all, --filter and --volumes');
      pruneExternal(ctx);
      return;
    }
    if (!argv.force && !confirm(warning(argv))) return;
    printReport(await systemPrune(ctx, { all: argv.all, volumes: argv.volumes, filters: argv.filter }));
  },
};
