// husk untag IMAGE [NAME...]
import type { CommandModule } from 'yargs';
import { untagImage } from '../../engine/images.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const untagCommand: CommandModule<object, GlobalArgs & { image: string; names?: string[] }> = {
  command: 'untag <image> [names..]',
  describe: 'Remove names from a local image (all of them when none is given)',
  handler: (argv) => untagImage(contextFrom(argv), argv.image, argv.names ?? []),
};
