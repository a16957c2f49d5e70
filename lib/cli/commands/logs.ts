// husk logs [-f] [-t] [-n] [--since T] [--until T] [--tail N] CONTAINER...
import type { CommandModule } from 'yargs';
import { streamLogs } from '../../engine/logs.js';
import { logOptions, logWriter } from '../log-options.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { UsageError } from '../../core/errors.js';
import { ignoredFlag } from '../compat.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';

type LogsArgs = GlobalArgs & { containers: string[]; timestamps: boolean; follow: boolean; since?: string; until?: string; tail?: string; names: boolean; latest: boolean };

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs [containers..]',
  describe: 'Fetch the logs of containers',
  builder: (y) =>
    y.options({
      follow: { alias: 'f', type: 'boolean', default: false, describe: 'Follow the log output until the container stops' },
      timestamps: { alias: 't', type: 'boolean', default: false, describe: 'Show timestamps' },
      since: { type: 'string', coerce: lastWins, describe: 'Only logs since this time (RFC 3339, Unix seconds, or a duration such as 10m)' },
      until: { type: 'string', coerce: lastWins, describe: 'Only logs before this time (same forms as --since)' },
      tail: { alias: 'n', type: 'string', coerce: lastWins, describe: 'Only the last N lines ("all" for every line)' },
      ...LATEST_OPTION,
      color: ignoredFlag('color', 'boolean', 'husk prints every container\'s lines without colours'),
      names: { type: 'boolean', default: false, describe: 'Prefix each line with the container\'s name' },
    }) as never,
  handler: async (argv) => {
    const opts = logOptions(argv);
    const ctx = contextFrom(argv);
    const names = namesOrLatest(ctx, (argv.containers ?? []).map(String), argv.latest);
    if (names.length === 0) throw new UsageError("logs needs a container name or ID, or --latest (see 'husk logs --help')");
    const views = names.map((c) => getContainer(ctx, c));
    // Several containers: each line says whose it is, as podman does.
    const prefixed = argv.names || views.length > 1;
    await Promise.all(
      views.map((view) => streamLogs(ctx, view, opts, logWriter(prefixed ? `${view.record.name} ` : '', argv.timestamps))),
    );
  },
};
