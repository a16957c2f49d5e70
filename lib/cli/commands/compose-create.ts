// husk compose create [OPTIONS] [SERVICE...]: up without starting anything.
import type { CommandModule } from 'yargs';
import { composeUp } from '../../engine/compose-up.js';
import { contextFrom } from '../common.js';
import { loadComposeProject } from '../compose-options.js';
import { CONVERGE_OPTIONS, upOptions, type UpArgs } from './compose-up.js';

export const composeCreateCommand: CommandModule<object, UpArgs> = {
  command: 'create [services..]',
  describe: 'Create containers for services without starting them',
  builder: (y) => y.options(CONVERGE_OPTIONS) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    await composeUp(ctx, loadComposeProject(argv), { ...upOptions(argv), start: false, wait: false });
  },
};
