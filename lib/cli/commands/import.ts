// husk import [--change INSTR]... [-m MSG] FILE|- [REFERENCE]
import type { CommandModule } from 'yargs';
import { importImage } from '../../engine/image-archive.js';
import { contextFrom, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type ImportArgs = GlobalArgs & { source: string; reference?: string; change: string[]; message?: string; quiet: boolean };

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <source> [reference]',
  describe: 'Import a root filesystem tarball (a file or - for stdin) as an image',
  builder: (y) =>
    y.options({
      change: { alias: 'c', type: 'string', array: true, nargs: 1, default: [], describe: 'Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, ...)' },
      message: { alias: 'm', type: 'string', describe: 'Commit message for the imported image' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const image = await importImage(ctx, {
      source: argv.source,
      stdin: () => process.stdin,
      name: argv.reference, changes: argv.change, message: argv.message });
    printOut(`sha256:${image.id}\n`);
  },
};
