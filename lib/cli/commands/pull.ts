// husk pull [-q] [-a] [--platform OS/ARCH[/VARIANT] | --os OS --arch ARCH --variant V] [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASS] [--authfile F] IMAGE[:TAG|@DIGEST]
import type { CommandModule } from 'yargs';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { imageExists, inspectImage } from '../../engine/images.js';
import { ignoredFlag, refusedFlag } from '../compat.js';
import { pullAllTags, pullImage } from '../../engine/registry.js';
import { hostPlatform } from '../../engine/registry.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { ProgressBoard } from '../progress.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';
import { printOut } from '../output.js';

type PullArgs = GlobalArgs & RegistryArgs & { image: string; quiet: boolean; allTags: boolean; platform?: string; os?: string; arch?: string; variant?: string; policy: string };

const POLICIES = ['always', 'missing', 'never', 'newer'];

/** --platform, or --os/--arch/--variant (which podman does not let go with --platform). */
function platformFrom(argv: PullArgs): string | undefined {
  if (argv.os === undefined && argv.arch === undefined && argv.variant === undefined) return argv.platform;
  if (argv.platform !== undefined) throw new UsageError('--platform cannot be given with --os, --arch or --variant');
  const host = hostPlatform();
  return [argv.os ?? 'linux', argv.arch ?? host.architecture, ...(argv.variant ? [argv.variant] : [])].join('/');
}

export const pullCommand: CommandModule<object, PullArgs> = {
  command: 'pull <image>',
  describe: 'Pull an image from a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID' },
      'all-tags': { alias: 'a', type: 'boolean', default: false, describe: 'Pull every tag of the repository' },
      platform: { type: 'string', coerce: lastWins, describe: 'Platform to choose from a multi-platform image: os/arch[/variant]' },
      os: { type: 'string', coerce: lastWins, describe: 'Operating system to choose (default linux)' },
      arch: { type: 'string', coerce: lastWins, describe: 'Architecture to choose (default the host\'s)' },
      variant: { type: 'string', coerce: lastWins, describe: 'Architecture variant to choose (arm/v7: v7)' },
      ...REGISTRY_OPTIONS,
      policy: { type: 'string', coerce: lastWins, default: 'always', describe: 'always pull; missing: only when not in local storage; never: use the local image; newer: pull (only changed layers are fetched)' },
      'disable-content-trust': ignoredFlag('disable-content-trust', 'boolean', 'docker compatibility: husk (as podman) has no content trust to disable'),
      retry: ignoredFlag('retry', 'number', 'husk retries an interrupted blob download itself, from where it stopped (4 attempts)'),
      'retry-delay': ignoredFlag('retry-delay', 'string', 'husk retries an interrupted blob download at once, from where it stopped'),
      'decryption-key': refusedFlag('decryption-key', 'string', 'husk does not decrypt encrypted image layers'),
    }) as never,
  handler: async (argv) => {
    if (!POLICIES.includes(argv.policy)) throw new UsageError(`unsupported pull policy "${argv.policy}": use ${POLICIES.join(', ')}`);
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    if ((argv.policy === 'missing' || argv.policy === 'never') && !argv.allTags && imageExists(ctx, String(argv.image))) {
      printOut(`${String(inspectImage(ctx, String(argv.image)).Id)}\n`);
      return;
    }
    if (argv.policy === 'never') throw new NotFoundError(`${String(argv.image)}: image not known`);
    // Bars on a terminal; the same lines, one per event, when stderr is piped.
    const board = !argv.quiet && process.stderr.isTTY ? new ProgressBoard() : undefined;
    const opts = {
      platform: platformFrom(argv),
      ...accessFrom(argv),
      progress: argv.quiet ? undefined : board ? (line: string) => board.line(line) : (line: string) => process.stderr.write(`${line}\n`),
      warn: (line: string) => (board ? board.line(`WARNING: ${line}`) : process.stderr.write(`WARNING: ${line}\n`)),
      bytes: board && ((digest: string, received: number, total: number) => board.bytes(digest, received, total)),
    };
    const results = argv.allTags ? await pullAllTags(ctx, String(argv.image), opts) : [await pullImage(ctx, String(argv.image), opts)];
    printOut(results.map((r) => `sha256:${r.image.id}\n`).join(''));
  },
};
