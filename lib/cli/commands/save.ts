// husk save [-o FILE] [--format docker-archive|oci-archive] IMAGE...
import type { CommandModule } from 'yargs';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';

type SaveArgs = GlobalArgs & { images: string[]; output?: string; format: string; quiet: boolean };

export const saveCommand: CommandModule<object, SaveArgs> = {
  command: 'save <images..>',
  describe: 'Save images to a tar archive (docker-archive or oci-archive), to a file or stdout',
  builder: (y) =>
    y.options({
      output: { alias: 'o', type: 'string', coerce: lastWins, describe: 'Write to this file instead of stdout' },
      format: { type: 'string', coerce: lastWins, default: 'docker-archive', describe: 'Archive format: docker-archive or oci-archive' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Suppress progress output (husk shows none)' },
    }) as never,
  handler: async (argv) => {
    // Loaded only here: the tar code is no part of every other command's start-up.
    const { saveImages } = await import('../../engine/image-archive.js');
    await saveImages(contextFrom(argv), {
      images: argv.images,
      format: argv.format as 'docker-archive',
      output: argv.output,
      stdout: process.stdout,
    });
  },
};
