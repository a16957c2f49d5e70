// husk container prune [-f] [--filter label=K[=V] | label!=K[=V] | until=T]: removes every container that is not running.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { parseLogTime } from '../../engine/logs.js';
import { pruneContainers } from '../../engine/remove.js';
import type { ContainerView } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type PruneArgs = GlobalArgs & { force: boolean; filter: string[] };

export const containerPruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove all containers that are not running',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'Only those that match: label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME (created before)' },
    }) as never,
  handler: async (argv) => {
    const matches = pruneFilter(argv.filter);
    printReports(await pruneContainers(contextFrom(argv), matches));
  },
};

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq < 0 ? want in labels : labels[want.slice(0, eq)] === want.slice(eq + 1);
}

/** podman's prune filters: every label= must match, no label!= may, and the container is older than until=. */
function pruneFilter(filters: string[]): (v: ContainerView) => boolean {
  const tests = filters.map((raw) => {
    const [key, value] = [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)];
    if (key === 'label') return (v: ContainerView) => labelMatches(v.record.labels ?? {}, value);
    if (key === 'label!') return (v: ContainerView) => !labelMatches(v.record.labels ?? {}, value);
    if (key === 'until') {
      const until = parseLogTime(value, 'filter until');
      return (v: ContainerView) => Date.parse(v.record.created) < until;
    }
    throw new UsageError(`invalid filter "${raw}": use label=, label!= or until=`);
  });
  return (v) => tests.every((t) => t(v));
}
