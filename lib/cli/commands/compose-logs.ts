// husk compose logs [-f] [--tail N] [-t] [--no-color] [SERVICE...]: the
// logs of the services' containers, each line prefixed with its container.
import type { CommandModule } from 'yargs';
import { contextFrom, lastWins } from '../common.js';
import { loadComposeProject, printProjectLogs, serviceContainers, type ComposeArgs } from '../compose-options.js';

type LogsArgs = ComposeArgs & { services: string[]; follow: boolean; tail?: string; timestamps: boolean; noColor: boolean; noLogPrefix: boolean; since?: string; until?: string; index?: number };

export const composeLogsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs [services..]',
  describe: 'View output from containers',
  builder: (y) =>
    y.options({
      follow: { alias: 'f', type: 'boolean', default: false, describe: 'Follow log output' },
      tail: { alias: 'n', type: 'string', coerce: lastWins, describe: 'Number of lines to show from the end of the logs for each container (all)' },
      timestamps: { alias: 't', type: 'boolean', default: false, describe: 'Show timestamps' },
      'no-color': { type: 'boolean', default: false, describe: 'Produce monochrome output' },
      'no-log-prefix': { type: 'boolean', default: false, describe: "Don't print prefix in logs" },
      since: { type: 'string', coerce: lastWins, describe: 'Show logs since a timestamp or a relative time (42m)' },
      until: { type: 'string', coerce: lastWins, describe: 'Show logs before a timestamp or a relative time' },
      index: { type: 'number', coerce: lastWins, describe: 'The container of the service, if it has several' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv, { quiet: true });
    const containers = serviceContainers(ctx, project, argv.services ?? []).filter((c) => argv.index === undefined || c.number === argv.index);
    await printProjectLogs(ctx, containers, argv, { colour: !argv.noColor && process.stdout.isTTY === true, timestamps: argv.timestamps, prefix: !argv.noLogPrefix });
  },
};
