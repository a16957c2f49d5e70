// husk tag IMAGE TARGET_NAME[:TAG]...
import type { CommandModule } from 'yargs';
import { tagImage } from '../../engine/images.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const tagCommand: CommandModule<object, GlobalArgs & { image: string; targets: string[] }> = {
  command: 'tag <image> <targets..>',
  describe: 'Add names to a local image',
  handler: (argv) => tagImage(contextFrom(argv), argv.image, argv.targets),
};
