// husk import [--change INSTR]... [-m MSG] [--arch A] [--os O] [--variant V] FILE|- [REFERENCE]
import type { CommandModule } from 'yargs';
import { importImage } from '../../engine/image-archive.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type ImportArgs = GlobalArgs & { source: string; reference?: string; change: string[]; message?: string; quiet: boolean; arch?: string; os?: string; variant?: string; platform?: string };

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <source> [reference]',
  describe: 'Import a root filesystem tarball (a file or - for stdin) as an image',
  builder: (y) =>
    y.options({
      change: { alias: 'c', type: 'string', array: true, nargs: 1, default: [], describe: 'Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, ...)' },
      message: { alias: 'm', type: 'string', describe: 'Commit message for the imported image' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID (husk prints nothing else)' },
      arch: { type: 'string', coerce: lastWins, describe: 'The architecture the image says it is for (default the host\'s)' },
      os: { type: 'string', coerce: lastWins, describe: 'The operating system the image says it is for (default linux)' },
      variant: { type: 'string', coerce: lastWins, describe: 'The architecture variant the image says it is for (arm/v7: v7)' },
      platform: { type: 'string', coerce: lastWins, describe: 'docker\'s form of the three: os/arch[/variant]' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const image = await importImage(ctx, {
      source: argv.source,
      stdin: () => process.stdin,
      name: argv.reference,
      changes: argv.change,
      message: argv.message,
      ...platformOf(argv),
    });
    printOut(`sha256:${image.id}\n`);
  },
};

/** --os/--arch/--variant, or docker's --platform (not both). */
function platformOf(argv: ImportArgs): { os?: string; arch?: string; variant?: string } {
  if (argv.platform === undefined) return { os: argv.os, arch: argv.arch, variant: argv.variant };
  if (argv.os !== undefined || argv.arch !== undefined || argv.variant !== undefined) throw new UsageError('--platform cannot be given with --os, --arch or --variant');
  const [os, arch, variant] = argv.platform.split('/');
  if (!os || !arch) throw new UsageError(`invalid --platform "${argv.platform}": give os/arch[/variant]`);
  return { os, arch, variant };
}
