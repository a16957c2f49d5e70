// husk network prune [-f] [--filter label=K[=V] | label!=K[=V] | until=TIME]...
import type { CommandModule } from 'yargs';
import { parseNetworkFilters, pruneNetworks, PRUNE_FILTERS } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type PruneArgs = GlobalArgs & { force: boolean; filter: string[] };

export const networkPruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove every network no container is on (never the default network)',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks, as for volume and container prune)' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'Only networks with (label=K[=V]) or without (label!=K[=V]) a label, or created before until=TIME' },
    }) as never,
  handler: (argv) => {
    const filters = parseNetworkFilters(argv.filter, PRUNE_FILTERS);
    printReports(pruneNetworks(contextFrom(argv), filters));
  },
};
