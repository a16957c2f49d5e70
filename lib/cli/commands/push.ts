// husk push [-q] [--tls-verify=false] [--creds USER:PASS] [--digestfile FILE] IMAGE [DESTINATION]
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { HuskError } from '../../engine/errors.js';
import { pushImage } from '../../image/push.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';

type PushArgs = GlobalArgs & { image: string; destination?: string; quiet: boolean; tlsVerify: boolean; creds?: string; digestfile?: string };

export const pushCommand: CommandModule<object, PushArgs> = {
  command: 'push <image> [destination]',
  describe: 'Push an image to a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Do not print progress' },
      'tls-verify': { type: 'boolean', default: true, describe: 'Require HTTPS and verify certificates (false: allow http and unverified TLS)' },
      creds: { type: 'string', coerce: lastWins, describe: 'Credentials for the registry: USERNAME:PASSWORD' },
      digestfile: { type: 'string', coerce: lastWins, describe: 'Write the digest of the pushed manifest to this file' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const { digest } = await pushImage(ctx, String(argv.image), argv.destination === undefined ? undefined : String(argv.destination), {
      tlsVerify: argv.tlsVerify,
      creds: argv.creds,
      progress: argv.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    if (argv.digestfile) {
      try {
        fs.writeFileSync(argv.digestfile, digest);
      } catch (err) {
        throw new HuskError(`writing the digest file: ${(err as Error).message}`);
      }
    }
    process.stdout.write(`${digest}\n`);
  },
};
