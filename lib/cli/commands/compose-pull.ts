// husk compose pull [-q] [--ignore-pull-failures] [--ignore-buildable] [SERVICE...]: the services' images.
import type { CommandModule } from 'yargs';
import { messageFor } from '../../core/errors.js';
import { servicesInOrder } from '../../engine/compose.js';
import { serviceImage } from '../../engine/compose-service.js';
import { pullImage } from '../../engine/registry.js';
import { contextFrom } from '../common.js';
import { loadComposeProject, report, type ComposeArgs } from '../compose-options.js';

type PullArgs = ComposeArgs & { services?: string[]; quiet: boolean; ignorePullFailures: boolean; ignoreBuildable: boolean; includeDeps: boolean };

export const composePullCommand: CommandModule<object, PullArgs> = {
  command: 'pull [services..]',
  describe: 'Pull service images',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Pull without printing progress information' },
      'ignore-pull-failures': { type: 'boolean', default: false, describe: 'Pull what it can and ignores images with pull failures' },
      'ignore-buildable': { type: 'boolean', default: false, describe: 'Ignore images that can be built' },
      'include-deps': { type: 'boolean', default: false, describe: 'Also pull services declared as dependencies' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv);
    for (const svc of servicesInOrder(project, argv.services ?? [], !argv.includeDeps)) {
      // A service built here has no image to pull unless it names one (then a failure is no error, as docker compose).
      if (!svc.image || (svc.build && argv.ignoreBuildable)) continue;
      if (!argv.quiet) report(` ${svc.name} Pulling`);
      try {
        await pullImage(ctx, serviceImage(project, svc), {});
        if (!argv.quiet) report(` ${svc.name} Pulled`);
      } catch (err) {
        if (!argv.ignorePullFailures && !svc.build) throw err;
        report(` ${svc.name} Warning: ${messageFor(err)}`);
      }
    }
  },
};
