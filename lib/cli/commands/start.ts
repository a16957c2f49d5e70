// husk start [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { getContainer } from '../../engine/containers.js';
import { runAttached, startContainer } from '../../engine/start.js';
import { UsageError } from '../../engine/errors.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { terminalIO } from './run.js';

type StartArgs = GlobalArgs & { containers: string[]; attach: boolean; interactive: boolean };

export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start <containers..>',
  describe: 'Start one or more created containers',
  builder: (y) =>
    y.options({
      attach: { alias: 'a', type: 'boolean', default: false, describe: 'Attach to the container\'s output' },
      interactive: { alias: 'i', type: 'boolean', default: false, describe: 'Attach the container\'s STDIN' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    if (argv.attach && argv.containers.length > 1) throw new UsageError('you cannot start and attach more than one container at once');
    if (argv.attach) {
      process.exitCode = await runAttached(ctx, getContainer(ctx, argv.containers[0]!), terminalIO(), true);
      return;
    }
    let failed = false;
    for (const name of argv.containers) {
      try {
        startContainer(ctx, getContainer(ctx, name));
        process.stdout.write(`${name}\n`);
      } catch (err) {
        failed = true;
        process.stderr.write(`Error: ${(err as Error).message}\n`);
      }
    }
    if (failed) process.exitCode = 125;
  },
};
