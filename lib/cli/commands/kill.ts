// husk kill [-s SIGNAL] [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { killContainers, parseSignal } from '../../engine/lifecycle.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { bulkTargets, LATEST_OPTION } from '../targets.js';
import { namesAndIdFiles } from '../run-options.js';
import { ID_FILE_OPTIONS } from './stop.js';

type KillArgs = GlobalArgs & { containers: string[]; signal: string; all: boolean; latest: boolean; cidfile: string[] };

export const killCommand: CommandModule<object, KillArgs> = {
  command: 'kill [containers..]',
  describe: 'Send a signal (default SIGKILL) to running containers',
  builder: (y) =>
    y.options({
      signal: { alias: 's', type: 'string', coerce: lastWins, default: 'KILL', describe: 'Signal to send: a name (TERM, SIGHUP) or a number' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Signal all running containers' },
      ...LATEST_OPTION,
      cidfile: ID_FILE_OPTIONS.cidfile,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const signal = parseSignal(String(argv.signal));
    printReports(await killContainers(ctx, bulkTargets(ctx, { names: namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', false), all: argv.all, latest: argv.latest }), signal));
  },
};
