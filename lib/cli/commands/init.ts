// husk init [-a | -l] CONTAINER...: podman's, which prepares a created
// container short of starting it. husk's create already leaves the init made
// and waiting for its start, so this checks the state and says the name.
import type { CommandModule } from 'yargs';
import { initContainers } from '../../engine/lifecycle.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { bulkTargets, LATEST_OPTION } from '../targets.js';

type InitArgs = GlobalArgs & { containers: string[]; all: boolean; latest: boolean };

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [containers..]',
  describe: 'Initialize created containers without starting them (husk\'s create already did)',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Every created container' },
      ...LATEST_OPTION,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    printReports(await initContainers(ctx, bulkTargets(ctx, { names: argv.containers ?? [], all: argv.all, latest: argv.latest })));
  },
};
