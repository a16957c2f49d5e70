// husk pull [-q] [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASS] [--authfile F] IMAGE[:TAG|@DIGEST]
import type { CommandModule } from 'yargs';
import { pullImage } from '../../image/pull.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { ProgressBoard } from '../progress.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';

type PullArgs = GlobalArgs & RegistryArgs & { image: string; quiet: boolean; platform?: string };

export const pullCommand: CommandModule<object, PullArgs> = {
  command: 'pull <image>',
  describe: 'Pull an image from a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID' },
      platform: { type: 'string', coerce: lastWins, describe: 'Platform to choose from a multi-platform image: os/arch[/variant]' },
      ...REGISTRY_OPTIONS,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    // Bars on a terminal; the same lines, one per event, when stderr is piped.
    const board = !argv.quiet && process.stderr.isTTY ? new ProgressBoard() : undefined;
    const { image } = await pullImage(ctx, String(argv.image), {
      platform: argv.platform,
      ...accessFrom(argv),
      progress: argv.quiet ? undefined : board ? (line) => board.line(line) : (line) => process.stderr.write(`${line}\n`),
      bytes: board && ((digest, received, total) => board.bytes(digest, received, total)),
    });
    process.stdout.write(`sha256:${image.id}\n`);
  },
};
