// husk create [OPTIONS] IMAGE [COMMAND [ARG...]]
import type { CommandModule } from 'yargs';
import { createContainer } from '../../engine/create.js';
import { contextFrom, warnAboutUserns, type GlobalArgs } from '../common.js';
import { CREATE_OPTIONS, toCreateOptions, type CreateArgs } from '../run-options.js';
import { printOut } from '../output.js';
import { inPod } from './pod-create.js';

export const createCommand: CommandModule<object, CreateArgs & GlobalArgs> = {
  command: 'create <image> [command..]',
  describe: 'Create a new container without starting it',
  builder: (y) => y.options(CREATE_OPTIONS).parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const opts = toCreateOptions(argv, ctx.rootless);
    const view = await createContainer(ctx, argv.pod ? await inPod(ctx, argv.pod, opts) : opts);
    printOut(`${view.record.id}\n`);
  },
};
