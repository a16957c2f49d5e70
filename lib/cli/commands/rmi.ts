// husk rmi [-f] IMAGE...
import type { CommandModule } from 'yargs';
import { exitCodeFor } from '../../core/errors.js';
import { removeImages } from '../../engine/images.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type RmiArgs = GlobalArgs & { images: string[]; force: boolean };

export const rmiCommand: CommandModule<object, RmiArgs> = {
  command: 'rmi <images..>',
  describe: 'Remove one or more images',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Also remove the containers that use them' } }) as never,
  handler: async (argv) => {
    for (const r of await removeImages(contextFrom(argv), argv.images, argv.force)) {
      if (r.error) {
        process.stderr.write(`Error: ${r.error.message}\n`);
        process.exitCode = exitCodeFor(r.error);
        continue;
      }
      for (const n of r.untagged) printOut(`Untagged: ${n}\n`);
      if (r.deleted) printOut(`Deleted: sha256:${r.deleted}\n`);
    }
  },
};
