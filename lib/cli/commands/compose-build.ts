// husk compose build [--no-cache] [--pull] [-q] [SERVICE...]: the images of the services that have build:.
import type { CommandModule } from 'yargs';
import { Writable } from 'node:stream';
import { servicesInOrder } from '../../engine/compose.js';
import { buildService } from '../../engine/compose-up.js';
import { contextFrom } from '../common.js';
import { loadComposeProject, report, type ComposeArgs } from '../compose-options.js';

type BuildArgs = ComposeArgs & { services?: string[]; cache: boolean; pull: boolean; quiet: boolean };

export const composeBuildCommand: CommandModule<object, BuildArgs> = {
  command: 'build [services..]',
  describe: 'Build or rebuild services',
  builder: (y) =>
    y.options({
      cache: { type: 'boolean', default: true, describe: 'Use cache when building the image (--no-cache: do not)' },
      pull: { type: 'boolean', default: false, describe: 'Always attempt to pull a newer version of the image' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: "Don't print anything to STDOUT" },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv);
    const out = argv.quiet ? new Writable({ write: (_c, _e, cb) => cb() }) : process.stdout;
    for (const svc of servicesInOrder(project, argv.services ?? [], true)) {
      if (!svc.build) continue;
      if (!argv.quiet) report(` Service ${svc.name}  Building`);
      await buildService(ctx, project, svc, out, { noCache: !argv.cache, pull: argv.pull });
      if (!argv.quiet) report(` Service ${svc.name}  Built`);
    }
  },
};
