// husk push [-q] [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASS] [--authfile F] [--digestfile FILE] IMAGE [DESTINATION]
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { HuskError, UsageError } from '../../core/errors.js';
import { pushImage } from '../../engine/registry.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { ignoredFlag, refusedFlag } from '../compat.js';
import { ProgressBoard } from '../progress.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';
import { printOut } from '../output.js';

type PushArgs = GlobalArgs & RegistryArgs & { image: string; destination?: string; quiet: boolean; digestfile?: string; compressionFormat?: string };

export const pushCommand: CommandModule<object, PushArgs> = {
  command: 'push <image> [destination]',
  describe: 'Push an image to a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Do not print progress' },
      ...REGISTRY_OPTIONS,
      digestfile: { type: 'string', coerce: lastWins, describe: 'Write the digest of the pushed manifest to this file' },
      'compression-format': { type: 'string', coerce: lastWins, describe: 'gzip (what husk pushes; zstd and zstd:chunked are refused)' },
      'compression-level': ignoredFlag('compression-level', 'number', "husk compresses with gzip's default level"),
      'force-compression': ignoredFlag('force-compression', 'boolean', 'husk pushes layers as stored (a pulled blob unchanged, a plain tar gzipped)'),
      format: ignoredFlag('format', 'string', 'husk pushes the manifest the image has: OCI, or docker v2s2 for one pulled or committed so', { alias: 'f' }),
      'remove-signatures': ignoredFlag('remove-signatures', 'boolean', 'husk keeps no signatures, so it pushes none'),
      'disable-content-trust': ignoredFlag('disable-content-trust', 'boolean', 'docker compatibility: husk (as podman) has no content trust to disable'),
      retry: ignoredFlag('retry', 'number', 'husk does not retry a failed push: run it again (blobs the registry has are not sent again)'),
      'retry-delay': ignoredFlag('retry-delay', 'string', 'husk does not retry a failed push'),
      compress: refusedFlag('compress', 'boolean', 'husk pushes to registries only, not to dir: destinations'),
      'encrypt-layer': refusedFlag('encrypt-layer', 'string', 'husk does not encrypt image layers'),
      'encryption-key': refusedFlag('encryption-key', 'string', 'husk does not encrypt image layers'),
      'sign-by': refusedFlag('sign-by', 'string', 'husk does not sign images'),
      'sign-by-sigstore': refusedFlag('sign-by-sigstore', 'string', 'husk does not sign images'),
      'sign-by-sigstore-private-key': refusedFlag('sign-by-sigstore-private-key', 'string', 'husk does not sign images'),
      'sign-by-sq-fingerprint': refusedFlag('sign-by-sq-fingerprint', 'string', 'husk does not sign images'),
      'sign-passphrase-file': refusedFlag('sign-passphrase-file', 'string', 'husk does not sign images'),
    }) as never,
  handler: async (argv) => {
    const format = argv.compressionFormat;
    if (format !== undefined && format !== 'gzip') throw new UsageError(`--compression-format ${format} is not supported: husk pushes gzip-compressed layers`);
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
