// husk volume prune [-f] [--filter label=K[=V]]...
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { pruneVolumes } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type PruneArgs = GlobalArgs & { force: boolean; filter: string[] };

export const volumePruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove every volume no container uses, named or anonymous',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'Only volumes with this label: label=K[=V]' },
    }) as never,
  handler: (argv) => {
    const labels = argv.filter.map((f) => {
      if (!f.startsWith('label=') || f === 'label=') throw new UsageError(`invalid filter "${f}": volume prune takes label=KEY[=VALUE]`);
      return f.slice(6);
    });
    printReports(pruneVolumes(contextFrom(argv), labels));
  },
};
