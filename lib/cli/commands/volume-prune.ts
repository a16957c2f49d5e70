// husk volume prune [-f] [-a] [--dry-run] [--filter K=V]...
import type { CommandModule } from 'yargs';
import { parseVolumeFilters, pruneVolumes, PRUNE_FILTERS } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type PruneArgs = GlobalArgs & { force: boolean; all: boolean; dryRun: boolean; filter: string[] };

export const volumePruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove every volume no container uses, named or anonymous',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Named volumes too: what husk always does, as podman 4 did' },
      'dry-run': { type: 'boolean', default: false, describe: 'Only name the volumes that would be removed' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'label=K[=V], label!=K[=V], until=TIME, anonymous=BOOL, after=VOLUME, all=true' },
    }) as never,
  handler: (argv) => {
    printReports(pruneVolumes(contextFrom(argv), parseVolumeFilters(argv.filter, PRUNE_FILTERS), argv.dryRun));
  },
};
