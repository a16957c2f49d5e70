// husk pod stats [-a|-l] [--no-stream] [--no-reset] [--format F] [POD...]: stats of the pods' containers (their infra included), as stats shows them.
import type { CommandModule } from 'yargs';
import { listPods, podContainers, selectPods } from '../../engine/pods.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { statsCommand } from './stats.js';
import { LATEST_OPTION, latestOrNamed } from '../pod-options.js';

type PodStatsArgs = GlobalArgs & { pods?: string[]; all: boolean; latest: boolean; reset: boolean; stream: boolean; format?: string; trunc: boolean; interval: number };

export const podStatsCommand: CommandModule<object, PodStatsArgs> = {
  command: 'stats [pods..]',
  describe: 'Show the CPU, memory, network, block I/O and processes of the containers of pods',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'All pods (also the default when none is named)' },
      ...LATEST_OPTION,
      reset: { type: 'boolean', default: true, describe: 'Clear the screen between refreshes (--no-reset: do not)' },
      stream: { type: 'boolean', default: true, describe: 'Refresh until interrupted (--no-stream: one sample)' },
      format: { type: 'string', coerce: lastWins, describe: 'Format with a Go template ({{.Name}} {{.CPUPerc}} ...), json or table' },
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs (--no-trunc: full IDs)' },
      interval: { alias: 'i', type: 'number', default: 5, describe: 'Seconds between refreshes' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const named = argv.latest ? [latestOrNamed(ctx, argv.pods, true)!] : (argv.pods ?? []);
    const pods = named.length ? selectPods(ctx, named, false) : listPods(ctx);
    const ids = pods.flatMap((p) => podContainers(ctx, p).filter((v) => v.status === 'running').map((v) => v.record.id));
    if (ids.length === 0) return;
    await (statsCommand.handler as (a: object) => Promise<void>)({ ...argv, containers: ids, all: false, latest: false, noReset: !argv.reset });
  },
};
