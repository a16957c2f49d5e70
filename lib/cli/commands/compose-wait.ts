// husk compose wait [--down-project] SERVICE...: until the services' containers stop; their exit codes.
import type { CommandModule } from 'yargs';
import { composeDown } from '../../engine/compose-down.js';
import { waitContainer } from '../../engine/lifecycle.js';
import { contextFrom } from '../common.js';
import { loadComposeProject, report, serviceContainers, type ComposeArgs } from '../compose-options.js';
import { printOut } from '../output.js';

export const composeWaitCommand: CommandModule<object, ComposeArgs & { services: string[]; downProject: boolean }> = {
  command: 'wait <services..>',
  describe: 'Block until the first service container stops',
  builder: (y) => y.options({ 'down-project': { type: 'boolean', default: false, describe: 'Drops project when the first container stops' } }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv, { quiet: true });
    const containers = serviceContainers(ctx, project, argv.services);
    const code = await Promise.race(containers.map((c) => waitContainer(ctx, c.view, [])));
    printOut(`${code}\n`);
    if (argv.downProject) await composeDown(ctx, project, { volumes: false, removeOrphans: false, report });
  },
};
