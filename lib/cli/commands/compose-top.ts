// husk compose top [SERVICE...]: the processes of each running container of the services.
import type { CommandModule } from 'yargs';
import { DEFAULT_DESCRIPTORS, topContainer } from '../../engine/top.js';
import { contextFrom, table } from '../common.js';
import { loadComposeProject, serviceContainers, type ComposeArgs } from '../compose-options.js';
import { printOut } from '../output.js';

export const composeTopCommand: CommandModule<object, ComposeArgs & { services?: string[] }> = {
  command: 'top [services..]',
  describe: 'Display the running processes',
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const containers = serviceContainers(ctx, loadComposeProject(argv, { quiet: true }), argv.services ?? []).filter((c) => c.view.status === 'running');
    printOut(
      containers
        .map((c) => {
          const [headers, ...rows] = topContainer(ctx, c.view, DEFAULT_DESCRIPTORS);
          return `${c.view.record.name}\n${table(headers!, rows)}`;
        })
        .join('\n'),
    );
  },
};
