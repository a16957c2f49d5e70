// husk pod prune [-f]: every pod with no running container.
import type { CommandModule } from 'yargs';
import { prunePods } from '../../engine/pods.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const podPruneCommand: CommandModule<object, GlobalArgs & { force: boolean }> = {
  command: 'prune',
  describe: 'Remove all stopped pods and their containers',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask for confirmation (husk never asks)' } }) as never,
  handler: async (argv) => {
    printOut((await prunePods(contextFrom(argv))).map((p) => `${p.id}\n`).join(''));
  },
};
