// husk save [-o FILE|DIR] [--format docker-archive|oci-archive|oci-dir|docker-dir] [-m] [--uncompressed] [--compress] IMAGE...
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';

type SaveArgs = GlobalArgs & { images: string[]; output?: string; format: string; quiet: boolean; multiImageArchive: boolean; uncompressed: boolean; compress: boolean };

export const saveCommand: CommandModule<object, SaveArgs> = {
  command: 'save <images..>',
  describe: 'Save images to a tar archive (docker-archive or oci-archive) or a directory (oci-dir, docker-dir)',
  builder: (y) =>
    y.options({
      output: { alias: 'o', type: 'string', coerce: lastWins, describe: 'Write to this file (or directory) instead of stdout' },
      format: { type: 'string', coerce: lastWins, default: 'docker-archive', describe: 'docker-archive, oci-archive, oci-dir or docker-dir' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Suppress progress output (husk shows none)' },
      // husk (as docker) always saves every image named: -m says so explicitly, as podman wants it.
      'multi-image-archive': { alias: 'm', type: 'boolean', default: false, describe: 'Every name is an image of its own (husk\'s way with or without -m; docker-archive only)' },
      uncompressed: { type: 'boolean', default: false, describe: 'oci-archive, oci-dir: write layers as plain tars, also those the store keeps compressed' },
      compress: { type: 'boolean', default: false, describe: 'docker-dir: write layers gzip-compressed' },
    }) as never,
  handler: async (argv) => {
    if (argv.multiImageArchive && argv.format !== 'docker-archive') throw new UsageError(`unsupported format "${argv.format}" for saving multiple images (only docker-archive)`);
    if (argv.compress && argv.format !== 'docker-dir') throw new UsageError("--compress can only be set when --format is 'docker-dir'");
    // Loaded only here: the tar code is no part of every other command's start-up.
    const { saveImages } = await import('../../engine/image-archive.js');
    await saveImages(contextFrom(argv), {
      images: argv.images,
      format: argv.format as 'docker-archive',
      output: argv.output,
      stdout: process.stdout,
      uncompressed: argv.uncompressed,
      compress: argv.compress,
    });
  },
};
