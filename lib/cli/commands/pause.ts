// husk pause [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { pauseContainers } from '../../engine/pause.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { bulkTargets, FILTER_OPTION, LATEST_OPTION } from '../targets.js';
import { namesAndIdFiles } from '../run-options.js';
import { ID_FILE_OPTIONS } from './stop.js';

type PauseArgs = GlobalArgs & { containers: string[]; all: boolean; latest: boolean; filter: string[]; cidfile: string[] };

export const pauseCommand: CommandModule<object, PauseArgs> = {
  command: 'pause [containers..]',
  describe: 'Freeze every process of running containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Pause all running containers' },
      ...LATEST_OPTION,
      filter: { ...FILTER_OPTION.filter, alias: 'f' },
      cidfile: ID_FILE_OPTIONS.cidfile,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const names = namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', false);
    const targets = bulkTargets(ctx, { names, all: argv.all, latest: argv.latest, filter: argv.filter });
    if (argv.filter.length && targets.names.length === 0) return;
    printReports(await pauseContainers(ctx, targets));
  },
};
