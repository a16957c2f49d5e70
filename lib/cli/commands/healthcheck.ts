// husk healthcheck run [--ignore-result] CONTAINER: one check now (the monitor runs it every
// interval); exit 0 healthy, 1 not (yet) healthy (0 with --ignore-result), as podman's.
import type { CommandModule } from 'yargs';
import { runHealthcheck } from '../../engine/health.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, nameOrLatest } from '../targets.js';

const runCommand: CommandModule<object, GlobalArgs & { container?: string; latest: boolean; ignoreResult: boolean }> = {
  command: 'run [container]',
  describe: 'Run the container\'s healthcheck once',
  builder: (y) =>
    y.options({
      ...LATEST_OPTION,
      'ignore-result': { type: 'boolean', default: false, describe: 'Exit 0 whatever the check found (it is still recorded)' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const status = await runHealthcheck(ctx, getContainer(ctx, nameOrLatest(ctx, argv.container, argv.latest, 'healthcheck run')));
    if (status !== 'healthy') {
      printOut(`${status}\n`);
      if (!argv.ignoreResult) process.exitCode = 1;
    }
  },
};

export const healthcheckCommand: CommandModule = {
  command: 'healthcheck',
  describe: 'Run container healthchecks',
  builder: (y) => y.command(runCommand as CommandModule).demandCommand(1, 'Specify a healthcheck command'),
  handler: () => {},
};
