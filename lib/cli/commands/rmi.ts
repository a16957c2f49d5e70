// husk rmi [-f] [-i] [-a] IMAGE...
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { removeAllImages, removeImages, rmiExitCode } from '../../engine/images.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type RmiArgs = GlobalArgs & { images?: string[]; force: boolean; ignore: boolean; all: boolean; prune: boolean };

export const rmiCommand: CommandModule<object, RmiArgs> = {
  command: 'rmi [images..]',
  describe: 'Remove one or more images',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Also remove the containers that use them' },
      ignore: { alias: 'i', type: 'boolean', default: false, describe: 'A name that names no image is no error' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove every image' },
      // --no-prune negates --prune: husk's rmi never removes other (parent) images, so both are what it does anyway.
      prune: { type: 'boolean', default: true, describe: 'Remove dangling parents too (--no-prune: keep them; husk keeps no parent images either way)' },
    }) as never,
  handler: async (argv) => {
    const names = argv.images ?? [];
    if (argv.all && names.length) throw new UsageError('when using the --all switch, you may not pass any images names or IDs');
    if (!argv.all && !names.length) throw new UsageError('image name or ID must be specified');
    const ctx = contextFrom(argv);
    const reports = argv.all ? await removeAllImages(ctx, argv.force) : await removeImages(ctx, names, { force: argv.force, ignore: argv.ignore });
    const errors: Error[] = [];
    for (const r of reports) {
      if (r.error) {
        process.stderr.write(`Error: ${r.error.message}\n`);
        errors.push(r.error);
        continue;
      }
      for (const n of r.untagged) printOut(`Untagged: ${n}\n`);
      if (r.deleted) printOut(`Deleted: sha256:${r.deleted}\n`);
    }
    if (errors.length) process.exitCode = rmiExitCode(errors);
  },
};
