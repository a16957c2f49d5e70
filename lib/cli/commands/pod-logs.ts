// husk pod logs [-f] [-t] [-n] [--tail N] [--since T] [--until T] [-c CONTAINER] POD|-l: the logs of the
// pod's containers, each line led by its container's ID (or name, with -n).
import type { CommandModule } from 'yargs';
import { getPod, podContainers } from '../../engine/pods.js';
import { streamLogs } from '../../engine/logs.js';
import { logOptions, logWriter } from '../log-options.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { LATEST_OPTION, latestOrNamed } from '../pod-options.js';
import { UsageError } from '../../core/errors.js';

type LogsArgs = GlobalArgs & { pod?: string; latest: boolean; follow: boolean; timestamps: boolean; names: boolean; tail?: string; since?: string; until?: string; container?: string };

export const podLogsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs [pod]',
  describe: 'Fetch logs for the containers of a pod',
  builder: (y) =>
    y.options({
      follow: { alias: 'f', type: 'boolean', default: false, describe: 'Follow the log output' },
      timestamps: { alias: 't', type: 'boolean', default: false, describe: 'Show timestamps' },
      ...LATEST_OPTION,
      names: { alias: 'n', type: 'boolean', default: false, describe: 'Lead each line with its container\'s name instead of its ID' },
      tail: { type: 'string', coerce: lastWins, describe: 'Only the last N lines of each container' },
      since: { type: 'string', coerce: lastWins, describe: 'Only logs since this time' },
      until: { type: 'string', coerce: lastWins, describe: 'Only logs until this time' },
      container: { alias: 'c', type: 'string', coerce: lastWins, describe: 'Only this container of the pod' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const pod = latestOrNamed(ctx, argv.pod, argv.latest);
    if (pod === undefined) throw new UsageError('pod logs needs a pod name or ID, or --latest');
    const views = podContainers(ctx, getPod(ctx, pod)).filter((v) => !v.record.podInfra && (argv.container === undefined || v.record.name === argv.container || v.record.id.startsWith(argv.container)));
    const opts = logOptions(argv);
    await Promise.all(
      views.map((v) => streamLogs(ctx, v, opts, logWriter(`${argv.names ? v.record.name : v.record.id.slice(0, 12)} `, argv.timestamps))),
    );
  },
};
