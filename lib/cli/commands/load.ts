// husk load [-i FILE] [-q]
import type { CommandModule } from 'yargs';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type LoadArgs = GlobalArgs & { input?: string; quiet: boolean };

export const loadCommand: CommandModule<object, LoadArgs> = {
  command: 'load',
  describe: 'Load images from a tar archive (docker-archive or oci-archive, plain or gzip), a file or stdin, or an oci-dir directory',
  builder: (y) =>
    y.options({
      input: { alias: 'i', type: 'string', coerce: lastWins, describe: 'Read from this file (or oci-dir directory) instead of stdin' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Suppress progress output (husk shows none)' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const { loadImages } = await import('../../engine/image-archive.js');
    const r = await loadImages(ctx, { input: argv.input, stdin: () => process.stdin });
    for (const n of r.names) printOut(`Loaded image: ${n}\n`);
    for (const id of r.untagged) printOut(`Loaded image ID: ${id}\n`);
  },
};
