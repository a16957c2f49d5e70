// husk create [OPTIONS] IMAGE [COMMAND [ARG...]]
import type { CommandModule } from 'yargs';
import { createContainer } from '../../engine/create.js';
import { contextFrom, warnAboutUserns, type GlobalArgs } from '../common.js';
import { CREATE_OPTIONS, toCreateOptions, type CreateArgs } from '../run-options.js';
import { printOut } from '../output.js';

export const createCommand: CommandModule<object, CreateArgs & GlobalArgs> = {
  command: 'create <image> [command..]',
  describe: 'Create a new container without starting it',
  builder: (y) => y.options(CREATE_OPTIONS).parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const view = await createContainer(ctx, toCreateOptions(argv, ctx.rootless));
    printOut(`${view.record.id}\n`);
  },
};
