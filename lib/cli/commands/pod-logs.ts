// husk pod logs [-f] [-t] [--tail N] [-c CONTAINER] POD: the logs of the pod's containers, each line named.
import type { CommandModule } from 'yargs';
import { getPod, podContainers } from '../../engine/pods.js';
import { streamLogs } from '../../engine/logs.js';
import { logOptions, logWriter } from '../log-options.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';

type LogsArgs = GlobalArgs & { pod: string; follow: boolean; timestamps: boolean; tail?: string; since?: string; container?: string };

export const podLogsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs <pod>',
  describe: 'Fetch logs for the containers of a pod',
  builder: (y) =>
    y.options({
      follow: { alias: 'f', type: 'boolean', default: false, describe: 'Follow the log output' },
      timestamps: { alias: 't', type: 'boolean', default: false, describe: 'Show timestamps' },
      tail: { alias: 'n', type: 'string', coerce: lastWins, describe: 'Only the last N lines of each container' },
      since: { type: 'string', coerce: lastWins, describe: 'Only logs since this time' },
      container: { alias: 'c', type: 'string', coerce: lastWins, describe: 'Only this container of the pod' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const views = podContainers(ctx, getPod(ctx, argv.pod)).filter((v) => !v.record.podInfra && (argv.container === undefined || v.record.name === argv.container || v.record.id.startsWith(argv.container)));
    const opts = logOptions(argv);
    await Promise.all(
      views.map((v) => streamLogs(ctx, v, opts, logWriter(`${v.record.id.slice(0, 12)} `, argv.timestamps))),
    );
  },
};
