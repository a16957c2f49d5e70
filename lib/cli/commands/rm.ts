// husk rm [-f] CONTAINER...
import type { CommandModule } from 'yargs';
import { removeContainers } from '../../engine/remove.js';
import { exitCodeFor } from '../../engine/errors.js';
import { contextFrom, type GlobalArgs } from '../common.js';

type RmArgs = GlobalArgs & { containers: string[]; force: boolean };

export const rmCommand: CommandModule<object, RmArgs> = {
  command: 'rm <containers..>',
  describe: 'Remove one or more containers',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Kill and remove running containers' } }) as never,
  handler: async (argv) => {
    const reports = await removeContainers(contextFrom(argv), argv.containers, argv.force);
    for (const r of reports) {
      if (r.error) {
        process.stderr.write(`Error: ${r.error.message}\n`);
        process.exitCode = exitCodeFor(r.error);
      } else {
        process.stdout.write(`${r.name}\n`);
      }
    }
  },
};
