// husk compose push [--ignore-push-failures] [SERVICE...]: the images of services with build: and image:.
import type { CommandModule } from 'yargs';
import { messageFor } from '../../core/errors.js';
import { servicesInOrder } from '../../engine/compose.js';
import { pushImage } from '../../engine/registry.js';
import { contextFrom } from '../common.js';
import { loadComposeProject, report, type ComposeArgs } from '../compose-options.js';

type PushArgs = ComposeArgs & { services?: string[]; quiet: boolean; ignorePushFailures: boolean };

export const composePushCommand: CommandModule<object, PushArgs> = {
  command: 'push [services..]',
  describe: 'Push service images',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Push without printing progress information' },
      'ignore-push-failures': { type: 'boolean', default: false, describe: 'Push what it can and ignores images with push failures' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv);
    for (const svc of servicesInOrder(project, argv.services ?? [], true)) {
      if (!svc.image) continue;
      if (!argv.quiet) report(` ${svc.name} Pushing`);
      try {
        await pushImage(ctx, svc.image, undefined, {});
        if (!argv.quiet) report(` ${svc.name} Pushed`);
      } catch (err) {
        if (!argv.ignorePushFailures) throw err;
        report(` ${svc.name} Warning: ${messageFor(err)}`);
      }
    }
  },
};
