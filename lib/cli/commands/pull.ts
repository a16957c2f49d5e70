// husk pull [-q] [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] [--creds USER:PASS] IMAGE[:TAG|@DIGEST]
import type { CommandModule } from 'yargs';
import { pullImage } from '../../image/pull.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { ProgressBoard } from '../progress.js';

type PullArgs = GlobalArgs & { image: string; quiet: boolean; platform?: string; tlsVerify: boolean; creds?: string };

export const pullCommand: CommandModule<object, PullArgs> = {
  command: 'pull <image>',
  describe: 'Pull an image from a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID' },
      platform: { type: 'string', coerce: lastWins, describe: 'Platform to choose from a multi-platform image: os/arch[/variant]' },
      'tls-verify': { type: 'boolean', default: true, describe: 'Require HTTPS and verify certificates (false: allow http and unverified TLS)' },
      creds: { type: 'string', coerce: lastWins, describe: 'Credentials for the registry: USERNAME:PASSWORD' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    // Bars on a terminal; the same lines, one per event, when stderr is piped.
    const board = !argv.quiet && process.stderr.isTTY ? new ProgressBoard() : undefined;
    const { image } = await pullImage(ctx, String(argv.image), {
      platform: argv.platform,
      tlsVerify: argv.tlsVerify,
      creds: argv.creds,
      progress: argv.quiet ? undefined : board ? (line) => board.line(line) : (line) => process.stderr.write(`${line}\n`),
      bytes: board && ((digest, received, total) => board.bytes(digest, received, total)),
    });
    process.stdout.write(`sha256:${image.id}\n`);
  },
};
