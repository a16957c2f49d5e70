// husk unpause [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { unpauseContainers } from '../../engine/pause.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { bulkTargets, FILTER_OPTION, LATEST_OPTION } from '../targets.js';
import { namesAndIdFiles } from '../run-options.js';
import { ID_FILE_OPTIONS } from './stop.js';

type UnpauseArgs = GlobalArgs & { containers: string[]; all: boolean; latest: boolean; filter: string[]; cidfile: string[] };

export const unpauseCommand: CommandModule<object, UnpauseArgs> = {
  command: 'unpause [containers..]',
  describe: 'Thaw paused containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Unpause all paused containers' },
      ...LATEST_OPTION,
      filter: { ...FILTER_OPTION.filter, alias: 'f' },
      cidfile: ID_FILE_OPTIONS.cidfile,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const names = namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', false);
    const targets = bulkTargets(ctx, { names, all: argv.all, latest: argv.latest, filter: argv.filter });
    if (argv.filter.length && targets.names.length === 0) return;
    printReports(await unpauseContainers(ctx, targets));
  },
};
