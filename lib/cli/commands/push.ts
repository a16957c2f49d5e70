// husk push [-q] [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASS] [--authfile F] [--digestfile FILE] IMAGE [DESTINATION]
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { HuskError } from '../../core/errors.js';
import { pushImage } from '../../engine/registry.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { ProgressBoard } from '../progress.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';
import { printOut } from '../output.js';

type PushArgs = GlobalArgs & RegistryArgs & { image: string; destination?: string; quiet: boolean; digestfile?: string };

export const pushCommand: CommandModule<object, PushArgs> = {
  command: 'push <image> [destination]',
  describe: 'Push an image to a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Do not print progress' },
      ...REGISTRY_OPTIONS,
      digestfile: { type: 'string', coerce: lastWins, describe: 'Write the digest of the pushed manifest to this file' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    // Bars on a terminal; the same lines, one per event, when stderr is piped.
    const board = !argv.quiet && process.stderr.isTTY ? new ProgressBoard() : undefined;
    const { digest } = await pushImage(ctx, String(argv.image), argv.destination === undefined ? undefined : String(argv.destination), {
      ...accessFrom(argv),
      progress: argv.quiet ? undefined : board ? (line) => board.line(line) : (line) => process.stderr.write(`${line}\n`),
      bytes: board && ((d, sent, total) => board.bytes(d, sent, total)),
    });
    if (argv.digestfile) {
      try {
        fs.writeFileSync(argv.digestfile, digest);
      } catch (err) {
        throw new HuskError(`writing the digest file: ${(err as Error).message}`);
      }
    }
    printOut(`${digest}\n`);
  },
};
