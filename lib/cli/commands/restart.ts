// husk restart [-t SECONDS] [-a [--running] | -l | --filter F] CONTAINER...
import type { CommandModule } from 'yargs';
import { restartContainers } from '../../engine/lifecycle.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { namesAndIdFiles } from '../run-options.js';
import { bulkTargets, FILTER_OPTION, LATEST_OPTION } from '../targets.js';
import { checkedSeconds, ID_FILE_OPTIONS } from './stop.js';

type RestartArgs = GlobalArgs & { containers: string[]; time?: number; all: boolean; running: boolean; latest: boolean; filter: string[]; cidfile: string[] };

export const restartCommand: CommandModule<object, RestartArgs> = {
  command: 'restart [containers..]',
  describe: 'Stop (if running) and start containers again',
  builder: (y) =>
    y.options({
      time: { alias: ['t', 'timeout'], type: 'number', coerce: lastWins, describe: 'Seconds to wait before SIGKILL (default: the container\'s, 10)' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Restart all containers' },
      running: { type: 'boolean', default: false, describe: 'With --all: only the running containers' },
      ...LATEST_OPTION,
      filter: { ...FILTER_OPTION.filter, alias: 'f' },
      cidfile: ID_FILE_OPTIONS.cidfile,
    }) as never,
  handler: async (argv) => {
    const time = checkedSeconds(argv.time, '--time');
    const ctx = contextFrom(argv);
    const names = namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', false);
    const targets = bulkTargets(ctx, { names, all: argv.all, latest: argv.latest, filter: argv.filter });
    if (argv.filter.length && targets.names.length === 0) return;
    const select = argv.running ? { select: (v: { status: string }) => v.status === 'running' } : {};
    printReports(await restartContainers(ctx, { ...targets, ...select }, time));
  },
};
